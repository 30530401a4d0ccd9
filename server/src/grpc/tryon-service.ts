// The tryon.v1.TryOn service: streaming Generate / Train and the job and model RPCs.
import type * as grpc from '@grpc/grpc-js';
import type { TryOnHandlers } from './generated/tryon/v1/TryOn.js';
import type { Job as JobMessage } from './generated/tryon/v1/Job.js';
import type { ListModelsResponse } from './generated/tryon/v1/ListModelsResponse.js';
import type { Job } from '../queue/job.js';
import { loadTryOnProto } from './proto.js';
import { unary, type ServiceDeps } from './call-context.js';
import { InputError, NotFoundError } from './errors.js';
import { handleGenerate } from './generate-handler.js';
import { handleTrain } from './train-handler.js';
import { JOB_KIND_NAMES, JOB_STATE_NAMES, MODEL_KIND_NAMES, fromEnumName, toJobMessage } from './job-messages.js';

/** How long CancelJob waits for a running job to reach its next step and stop, before answering anyway. */
const CANCEL_SETTLE_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TryOnService {
  constructor(private readonly deps: ServiceDeps) {}

  addToServer(server: grpc.Server): void {
    const handlers: TryOnHandlers = {
      Generate: (call) => void handleGenerate(this.deps, call),
      Train: (call) => void handleTrain(this.deps, call),
      GetJob: (call, callback) => void unary(this.deps, 'GetJob', call, callback, (req) => toJobMessage(this.findJob(req.id).snapshot())),
      CancelJob: (call, callback) => void unary(this.deps, 'CancelJob', call, callback, (req) => this.cancelJob(req.id)),
      ListJobs: (call, callback) =>
        void unary(this.deps, 'ListJobs', call, callback, (req) => ({
          jobs: this.deps.jobs
            .list({ kind: fromEnumName(JOB_KIND_NAMES, req.kind), state: fromEnumName(JOB_STATE_NAMES, req.state), limit: req.limit || 100 })
            .map(toJobMessage),
        })),
      ListModels: (call, callback) => void unary(this.deps, 'ListModels', call, callback, (req) => this.listModels(fromEnumName(MODEL_KIND_NAMES, req.kind))),
    };
    server.addService(loadTryOnProto().tryon.v1.TryOn.service, handlers);
  }

  private findJob(id: string): Job {
    if (!UUID.test(id)) throw new InputError(`id must be a job id (a UUID from Queued.job_id), got "${id.slice(0, 80)}"`);
    const job = this.deps.jobs.get(id);
    if (!job) throw new NotFoundError(`no job "${id}" (finished jobs are kept for the last ${this.deps.config.jobHistory})`);
    return job;
  }

  private async cancelJob(id: string): Promise<JobMessage> {
    const job = this.findJob(id);
    job.cancel('cancel-requested');
    const deadline = Date.now() + CANCEL_SETTLE_MS;
    while (!job.finished && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return toJobMessage(job.snapshot());
  }

  private listModels(kind: ReturnType<typeof fromEnumName<keyof typeof MODEL_KIND_NAMES>>): ListModelsResponse {
    const { catalog } = this.deps;
    const defaults = new Set([catalog.defaultFor('base')?.name, catalog.defaultFor('inpaint')?.name, catalog.defaultFor('tryOn')?.name ?? 'warp']);
    const models = this.deps.models.list(kind).map((entry) => ({
      name: entry.name,
      kind: MODEL_KIND_NAMES[entry.kind],
      loaded: entry.format === 'builtin' || this.deps.models.isLoaded(entry.name),
      format: entry.format,
      size_bytes: String(entry.sizeBytes),
      is_default: defaults.has(entry.name),
    }));
    return { models, default_model: this.deps.catalog.defaultFor('base')?.name ?? '' };
  }
}
