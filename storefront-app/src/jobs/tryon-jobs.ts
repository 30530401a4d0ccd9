// Starts try-ons on the inference server and keeps each one's events for the browser's SSE stream.
// The job row, the photo and the result are persisted (with the retention deadline); the live part
// (events, listeners, cancel switch) stays in this process for a few minutes after the job ends.
import type { Logger } from 'pino';
import type { TryOnEvent, WearableCategory } from '@fitting-room/proto';
import type { JobRepository } from '../db/job-repository.js';
import type { UsageRepository } from '../db/usage-repository.js';
import { shopperFacingError, type ShopperFacingError } from '../grpc/grpc-errors.js';
import type { InferenceClient, InferenceProgress } from '../grpc/inference-client.js';
import type { PhotoStore } from '../photos/photo-store.js';
import type { PreparedPhoto } from '../photos/prepare-photo.js';
import { formatJobHandle, newJobHandle, secretHash, type JobHandle } from './job-handle.js';
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
  /**
   * When the last event stream of a running job closes, how long to wait for another (an EventSource
   * reconnecting, a page reloading) before the job is cancelled.
   */
  disconnectGraceMs?: number;
  /** How long a finished job's events stay replayable in memory. */
  keepFinishedMs?: number;
  /**
   * How often running jobs are checked against the database and their heartbeat written: with several app
   * instances, a cancel or a compliance deletion may arrive at another instance, which can only say so through
   * the shared rows, and another instance can only tell that this one died by its heartbeats stopping.
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

export const resultUrl = (urlBase: string, handle: string): string => `${urlBase}/tryon/${handle}/result`;

/** What a job interrupted by this app stopping (or found orphaned by such a stop) ends with. */
export const INTERRUPTED: ShopperFacingError = {
  code: 'unavailable',
  message: 'The fitting room restarted while making your picture. Please try again.',
};

/** Abort reason of a shutdown, as opposed to a cancel by the shopper or the shop. */
class Interrupted extends Error {}

export class TryOnJobs {
  private readonly live = new Map<string, LiveJob>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private readonly watcher: NodeJS.Timeout;

  constructor(private readonly o: TryOnJobsOptions) {
    this.watcher = setInterval(() => {
      this.applySharedState().catch((err: unknown) => o.log.error({ err }, 'checking jobs against the database failed'));
    }, o.sharedStatePollMs ?? 2_000);
    this.watcher.unref();
  }

  /** A running job whose heartbeat is this old has no instance running it any more (that instance died). */
  get orphanedAfterMs(): number {
    return 5 * (this.o.sharedStatePollMs ?? 2_000);
  }

  /**
   * At start-up: jobs left unfinished by an instance that stopped without ending them (killed, crashed) are
   * failed, so their streams and results answer at once. With SQLite this process is the only instance, so
   * every unfinished row is such a job; with a shared database, only rows whose heartbeats stopped.
   */
  async failOrphans(onlyInstance: boolean): Promise<number> {
    const failed = await this.o.jobs.failOrphans(onlyInstance ? Infinity : Date.now() - this.orphanedAfterMs, INTERRUPTED.code);
    if (failed > 0) this.o.log.info({ failed }, 'failed try-ons left unfinished by a previous run');
    return failed;
  }

  /** Writes this instance's heartbeat on its running jobs; cancels those another instance deleted or cancelled. */
  private async applySharedState(): Promise<void> {
    const running = [...this.live.values()].filter((j) => !j.finished);
    if (running.length === 0) return;
    await this.o.jobs.heartbeat(running.map((j) => j.id));
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
  async start(req: StartTryOn): Promise<{ job: LiveJob; handle: string; refused?: ShopperFacingError }> {
    const now = Date.now();
    const handle = newJobHandle();
    const job = new LiveJob(handle.id, req.shop, req.customerId);
    await this.o.jobs.create({
      id: job.id, shop: req.shop, customerId: req.customerId, productId: req.productId, secretHash: secretHash(handle.secret),
      createdAt: now, expiresAt: now + this.o.photoTtlMs,
    });
    await this.o.photos.put(job.id, 'photo', req.photo.bytes, handle.secret);
    await this.o.usage.increment(req.shop, now);
    this.live.set(job.id, job);
    const run = this.run(job, handle, req, now + this.o.deadlineMs);
    this.running.set(job.id, run);
    void run.finally(() => this.running.delete(job.id));

    const first = await job.firstEvent(this.o.acceptWaitMs ?? 3_000);
    if (first?.type === 'error') {
      this.live.delete(job.id);
      await this.o.jobs.delete(job.id);
      return { job, handle: formatJobHandle(handle), refused: first.data };
    }
    // From here the browser has its job handle: it should open the event stream soon.
    const unwatched = setTimeout(() => {
      if (job.everSubscribed) return;
      // The browser's stream may have reached another app instance, which marks the row.
      this.o.jobs.isWatched(job.id).then(
        (watched) => watched || this.cancel(job.id, 'nobody opened the event stream'),
        (err: unknown) => this.o.log.error({ err, jobId: job.id }, 'could not check whether the job is watched'),
      );
    }, this.o.unwatchedTimeoutMs ?? 60_000);
    unwatched.unref();
    return { job, handle: formatJobHandle(handle) };
  }

  get(id: string): LiveJob | undefined {
    return this.live.get(id);
  }

  /**
   * An event stream of the job closed. If it was the last one and no other opens within the grace time (a
   * second tab, an EventSource reconnecting), the job is cancelled.
   */
  listenerLeft(id: string): void {
    const job = this.live.get(id);
    if (!job || job.finished || job.listenerCount > 0) return;
    clearTimeout(this.graceTimers.get(id));
    const timer = setTimeout(() => {
      this.graceTimers.delete(id);
      if (job.listenerCount === 0) this.cancel(id, 'browser disconnected');
    }, this.o.disconnectGraceMs ?? 5_000);
    timer.unref();
    this.graceTimers.set(id, timer);
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

  private async run(job: LiveJob, handle: JobHandle, req: StartTryOn, deadline: number): Promise<void> {
    const log = this.o.log.child({ jobId: job.id, shop: req.shop });
    let event: TryOnEvent;
    try {
      const { png, warnings } = await this.o.inference.tryOn(
        { personImage: req.photo.bytes, garmentImage: req.garmentImage, category: req.category, garmentTitle: req.garmentTitle, garmentDescription: req.garmentDescription },
        { deadline, signal: job.controller.signal, onEvent: (p) => this.onProgress(job, p) },
      );
      await this.o.photos.put(job.id, 'result', png, handle.secret);
      await this.o.jobs.setStatus(job.id, 'succeeded');
      event = { type: 'result', data: { resultUrl: resultUrl(req.urlBase, formatJobHandle(handle)), ...(warnings.length > 0 ? { warnings } : {}) } };
      if (warnings.length > 0) log.warn({ warnings }, 'try-on finished with warnings');
      else log.info('try-on finished');
    } catch (err) {
      const signal = job.controller.signal;
      const failure: ShopperFacingError = !signal.aborted
        ? shopperFacingError(err)
        : signal.reason instanceof Interrupted ? INTERRUPTED : { code: 'cancelled', message: 'The try-on was cancelled.' };
      // The row may be gone already (compliance deletion, DELETE): nothing to update then.
      await this.o.jobs.setStatus(job.id, failure.code === 'cancelled' ? 'cancelled' : 'failed', failure.code).catch(() => undefined);
      event = { type: 'error', data: failure };
      log.info({ code: failure.code, grpc: (err as Error).message }, 'try-on ended without a result');
    }
    clearTimeout(this.graceTimers.get(job.id));
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

  /**
   * Shutdown: interrupts every running job and settles once each has written its ending to the database and
   * sent it to its event streams.
   */
  async stopAll(): Promise<void> {
    clearInterval(this.watcher);
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    for (const job of this.live.values()) {
      if (job.finished) continue;
      this.o.log.info({ jobId: job.id }, 'interrupting try-on: app shutting down');
      job.controller.abort(new Interrupted('app shutting down'));
    }
    await Promise.allSettled([...this.running.values()]);
  }
}
