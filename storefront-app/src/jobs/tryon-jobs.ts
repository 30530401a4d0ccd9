// Starts try-ons on the inference server and keeps each one's events for the browser's SSE stream.
// The job row, the photo and the result are persisted (with the retention deadline); the live part
// (events, cancel switch) stays in this process for a few minutes after the job ends.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { TryOnEvent } from '@fitting-room/proto';
import type { JobRepository } from '../db/job-repository.js';
import type { UsageRepository } from '../db/usage-repository.js';
import { shopperFacingError, type ShopperFacingError } from '../grpc/grpc-errors.js';
import type { WearableCategory } from '@fitting-room/proto';
import type { InferenceClient, InferenceProgress } from '../grpc/inference-client.js';
import type { PhotoStore } from '../photos/photo-store.js';
import type { PreparedPhoto } from '../photos/prepare-photo.js';
import { LiveJob } from './live-job.js';

export interface TryOnJobsOptions {
  jobs: JobRepository;
  photos: PhotoStore;
  usage: UsageRepository;
  inference: InferenceClient;
  log: Logger;
  deadlineMs: number;
  photoTtlMs: number;
  /** How long start() waits for the inference server to accept or refuse the job. */
  acceptWaitMs?: number;
  /** A job nobody listens to within this time is cancelled (the page was closed right after the upload). */
  unwatchedTimeoutMs?: number;
  /** How long a finished job's events stay replayable in memory. */
  keepFinishedMs?: number;
  /**
   * How often running jobs are checked against the database: with several app instances, a cancel or a
   * compliance deletion may arrive at another instance, which can only say so through the shared rows.
   */
  sharedStatePollMs?: number;
}

export interface StartTryOn {
  shop: string;
  customerId: string | null;
  productId: string;
  category: WearableCategory;
  garmentTitle: string;
  garmentDescription: string;
  garmentImage: Buffer;
  photo: PreparedPhoto;
  /** Base URL of the shopper routes as the browser sees them (`/apps/tryon` through Shopify, `/proxy` standalone). */
  urlBase: string;
}

export const resultUrl = (urlBase: string, jobId: string): string => `${urlBase}/tryon/${jobId}/result`;

export class TryOnJobs {
  private readonly live = new Map<string, LiveJob>();
  private readonly watcher: NodeJS.Timeout;

  constructor(private readonly o: TryOnJobsOptions) {
    this.watcher = setInterval(() => {
      this.applySharedState().catch((err: unknown) => o.log.error({ err }, 'checking jobs against the database failed'));
    }, o.sharedStatePollMs ?? 2_000);
    this.watcher.unref();
  }

  /** Cancels running jobs whose rows another instance deleted or marked cancelled. */
  private async applySharedState(): Promise<void> {
    const running = [...this.live.values()].filter((j) => !j.finished);
    if (running.length === 0) return;
    const statuses = await this.o.jobs.statuses(running.map((j) => j.id));
    for (const job of running) {
      const status = statuses.get(job.id);
      if (status === undefined || status === 'cancelled') this.cancel(job.id, status ? 'cancelled on another instance' : 'deleted');
    }
  }

  /**
   * Starts a try-on and waits briefly for the inference server to take it: a refusal within that time (all
   * servers busy, none reachable, a photo it cannot use) is returned, and nothing of the job is kept.
   */
  async start(req: StartTryOn): Promise<{ job: LiveJob; refused?: ShopperFacingError }> {
    const now = Date.now();
    const job = new LiveJob(randomBytes(16).toString('hex'), req.shop, req.customerId);
    await this.o.jobs.create({ id: job.id, shop: req.shop, customerId: req.customerId, productId: req.productId, createdAt: now, expiresAt: now + this.o.photoTtlMs });
    await this.o.photos.put(job.id, 'photo', { mime: req.photo.mime, bytes: req.photo.bytes });
    await this.o.usage.increment(req.shop, now);
    this.live.set(job.id, job);
    void this.run(job, req, now + this.o.deadlineMs);

    const first = await job.firstEvent(this.o.acceptWaitMs ?? 3_000);
    if (first?.type === 'error') {
      this.live.delete(job.id);
      await this.o.jobs.delete(job.id);
      return { job, refused: first.data };
    }
    // From here the browser has its job id: it should open the event stream soon.
    const unwatched = setTimeout(() => {
      if (job.everSubscribed) return;
      // The browser's stream may have reached another app instance, which marks the row.
      this.o.jobs.isWatched(job.id).then(
        (watched) => watched || this.cancel(job.id, 'nobody opened the event stream'),
        (err: unknown) => this.o.log.error({ err, jobId: job.id }, 'could not check whether the job is watched'),
      );
    }, this.o.unwatchedTimeoutMs ?? 60_000);
    unwatched.unref();
    return { job };
  }

  get(id: string): LiveJob | undefined {
    return this.live.get(id);
  }

  /** Cancels the gRPC call of a running job; a finished or unknown job is left as it is. */
  cancel(id: string, reason: string): void {
    const job = this.live.get(id);
    if (!job || job.finished) return;
    this.o.log.info({ jobId: id, reason }, 'cancelling try-on');
    job.controller.abort(new Error(reason));
  }

  cancelWhere(match: (job: LiveJob) => boolean, reason: string): number {
    let n = 0;
    for (const job of this.live.values()) {
      if (!job.finished && match(job)) {
        this.cancel(job.id, reason);
        n++;
      }
    }
    return n;
  }

  /** Forget a job here (after its rows were deleted). */
  forget(id: string): void {
    this.cancel(id, 'deleted');
    this.live.delete(id);
  }

  private async run(job: LiveJob, req: StartTryOn, deadline: number): Promise<void> {
    const log = this.o.log.child({ jobId: job.id, shop: req.shop });
    let event: TryOnEvent;
    try {
      const { png, warnings } = await this.o.inference.tryOn(
        { personImage: req.photo.bytes, garmentImage: req.garmentImage, category: req.category, garmentTitle: req.garmentTitle, garmentDescription: req.garmentDescription },
        { deadline, signal: job.controller.signal, onEvent: (p) => this.onProgress(job, p) },
      );
      await this.o.photos.put(job.id, 'result', { mime: 'image/png', bytes: png });
      await this.o.jobs.setStatus(job.id, 'succeeded');
      event = { type: 'result', data: { resultUrl: resultUrl(req.urlBase, job.id), ...(warnings.length > 0 ? { warnings } : {}) } };
      if (warnings.length > 0) log.warn({ warnings }, 'try-on finished with warnings');
      else log.info('try-on finished');
    } catch (err) {
      const failure = job.controller.signal.aborted ? { code: 'cancelled' as const, message: 'The try-on was cancelled.' } : shopperFacingError(err);
      // The row may be gone already (compliance deletion, DELETE): nothing to update then.
      await this.o.jobs.setStatus(job.id, failure.code === 'cancelled' ? 'cancelled' : 'failed', failure.code).catch(() => undefined);
      event = { type: 'error', data: failure };
      log.info({ code: failure.code, grpc: (err as Error).message }, 'try-on ended without a result');
    }
    job.emit(event);
    setTimeout(() => this.live.delete(job.id), this.o.keepFinishedMs ?? 5 * 60_000).unref();
  }

  private onProgress(job: LiveJob, p: InferenceProgress): void {
    if (p.type === 'queued') job.emit({ type: 'queued', data: { position: p.position } });
    else if (p.type === 'started') {
      job.emit({ type: 'started', data: {} });
      void this.o.jobs.setStatus(job.id, 'running').catch(() => undefined);
    } else {
      job.emit({ type: 'progress', data: { step: p.step, totalSteps: p.totalSteps, previewJpegBase64: p.previewJpeg?.toString('base64') } });
    }
  }

  /** Cancels everything (shutdown). */
  stopAll(): void {
    clearInterval(this.watcher);
    this.cancelWhere(() => true, 'app shutting down');
  }
}
