// The tryon.v1.TryOn service: streaming Generate / Train and the job and model RPCs.
import type * as grpc from '@grpc/grpc-js';
import { type TryOnHandlers, type Job as JobMessage, type ListModelsResponse, loadTryOnProto } from '@fitting-room/proto';
import type { Job } from '../queue/job.js';
import { unary, type ServiceDeps } from './call-context.js';
import { InputError, NotFoundError } from './errors.js';
import { handleGenerate } from './generate-handler.js';
import { handleTrain } from './train-handler.js';
import { JOB_KIND_NAMES, JOB_STATE_NAMES, MODEL_KIND_NAMES, fromEnumName, toJobMessage } from './job-messages.js';
import type { Caller } from './caller.js';
import { engineBackendMessage } from './engine-backend.js';

/** How long CancelJob waits for a running job to reach its next step and stop, before answering anyway. */
const CANCEL_SETTLE_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TryOnService {
  constructor(private readonly deps: ServiceDeps) {}

  addToServer(server: grpc.Server): void {
    const handlers: TryOnHandlers = {
      Generate: (call) => void handleGenerate(this.deps, call),
      Train: (call) => void handleTrain(this.deps, call),
      GetJob: (call, callback) => void unary(this.deps, 'GetJob', call, callback, (req) => toJobMessage(this.findJob(req.id, this.deps.callers.of(call)).snapshot())),
      CancelJob: (call, callback) => void unary(this.deps, 'CancelJob', call, callback, (req) => this.cancelJob(req.id, this.deps.callers.of(call))),
      ListJobs: (call, callback) =>
        void unary(this.deps, 'ListJobs', call, callback, (req) => {
          const caller = this.deps.callers.of(call);
          const filter = {
            owner: caller.admin ? undefined : caller.owner,
            kind: enumFilter('kind', JOB_KIND_NAMES, req.kind),
            state: enumFilter('state', JOB_STATE_NAMES, req.state),
            limit: req.limit || 100,
          };
          return { jobs: this.deps.jobs.list(filter).map(toJobMessage) };
        }),
      ListModels: (call, callback) => void unary(this.deps, 'ListModels', call, callback, (req) => this.listModels(enumFilter('kind', MODEL_KIND_NAMES, req.kind))),
    };
    server.addService(loadTryOnProto().tryon.v1.TryOn.service, handlers);
  }

  /** Another caller's job is NOT_FOUND, exactly like a job that does not exist: ids tell nothing across callers. */
  private findJob(id: string, caller: Caller): Job {
    if (!UUID.test(id)) throw new InputError(`id must be a job id (a UUID from Queued.job_id), got "${id.slice(0, 80)}"`);
    const job = this.deps.jobs.get(id);
    if (!job || (!caller.admin && job.owner !== caller.owner)) throw new NotFoundError(`no job "${id}" (finished jobs are kept for the last ${this.deps.config.jobHistory})`);
    return job;
  }

  private async cancelJob(id: string, caller: Caller): Promise<JobMessage> {
    const job = this.findJob(id, caller);
    job.cancel('cancel-requested');
    const deadline = Date.now() + CANCEL_SETTLE_MS;
    while (!job.finished && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return toJobMessage(job.snapshot());
  }

  private listModels(kind: keyof typeof MODEL_KIND_NAMES | undefined): ListModelsResponse {
    const loaded = this.deps.loadedModels();
    const { catalog } = this.deps;
    const defaults = new Set([catalog.defaultFor('base')?.name, catalog.defaultFor('inpaint')?.name, catalog.defaultFor('tryOn')?.name ?? 'warp']);
    const models = this.deps.models.list(kind).map((entry) => ({
      name: entry.name,
      kind: MODEL_KIND_NAMES[entry.kind],
      loaded: entry.format === 'builtin' || loaded.has(entry.name),
      format: entry.format,
      size_bytes: String(entry.sizeBytes),
      is_default: defaults.has(entry.name),
      licence: entry.licence ?? (entry.format === 'builtin' ? 'built in' : 'unknown: see the model card'),
    }));
    return { models, default_model: this.deps.catalog.defaultFor('base')?.name ?? '', backend: engineBackendMessage(this.deps.engineBackend()) };
  }
}

/** A filter field: unset / UNSPECIFIED = no filter; a name (or number) the proto does not define is refused. */
function enumFilter<K extends string>(field: string, names: Record<K, string>, value: string | number): K | undefined {
  if (value === '' || (typeof value === 'string' && value.endsWith('_UNSPECIFIED')) || value === 0) return undefined;
  const known = typeof value === 'string' ? fromEnumName(names, value) : undefined;
  if (!known) throw new InputError(`${field} must be one of ${Object.values(names).join(', ')} (or unset), got ${JSON.stringify(value)}`);
  return known;
}
