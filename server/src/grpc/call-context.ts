// What every TryOn handler shares: its dependencies, ending a call with a mapped status, and tying a call's
// cancellation (client cancel or deadline) to its job.
import type { ServerWritableStream, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { ServerConfig } from '../config.js';
import type { BackendInfo } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';
import type { GpuQueue } from '../queue/gpu-queue.js';
import type { Job } from '../queue/job.js';
import type { JobRegistry } from '../queue/job-registry.js';
import type { ModelCatalog } from '../model-store/catalog.js';
import type { EngineWorker } from '../worker/engine-worker.js';
import type { CallerIdentity } from './caller.js';
import { CancelledError } from '../cancellation.js';
import { statusName, toServiceError, toStatus } from './errors.js';
import type { ModelLookup } from './validate-generate.js';

export interface ServiceDeps {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly queue: GpuQueue;
  readonly jobs: JobRegistry;
  readonly models: ModelCatalog;
  /** Names of the models the engine worker holds in memory (ListModels' `loaded`). */
  loadedModels(): ReadonlySet<string>;
  /** The running engine worker's backend (ListModels' `backend`); undefined while none is up. */
  engineBackend(): BackendInfo | undefined;
  readonly catalog: ModelLookup;
  /** Runs jobs' compute, in its own process. */
  readonly engine: EngineWorker;
  readonly callers: CallerIdentity;
  /** Re-reads the models directories (after Train published a model). */
  refreshModels(): Promise<void>;
  /** Where Train writes its results (the models directory), and where datasets are read from. */
  readonly trainingOutputDir: string;
  readonly datasetsDir: string;
}

function deadlinePassed(call: { getDeadline(): Date | number }): boolean {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && Date.now() >= ms - 5;
}

/** Cancels the job when the client goes away; returns the unsubscribe function. */
export function cancelJobWithCall(call: ServerWritableStream<unknown, unknown>, job: Job): () => void {
  const onCancelled = (): void => job.cancel(deadlinePassed(call) ? 'deadline-exceeded' : 'client-cancelled');
  call.on('cancelled', onCancelled);
  if (call.cancelled) onCancelled();
  return () => call.off('cancelled', onCancelled);
}

/** The error to report for a failed job: its cancellation when it was cancelled, whatever the engine threw. */
function jobError(job: Job, error: unknown): unknown {
  return job.signal.aborted && job.signal.reason instanceof CancelledError ? job.signal.reason : error;
}

function finishJob(job: Job, error: unknown): void {
  if (error instanceof CancelledError) job.finish('cancelled', error.message);
  else job.finish('failed', toStatus(error).details);
}

/** Ends a server stream with the error's status, logging and counting it. */
export function failStream(deps: ServiceDeps, method: string, call: ServerWritableStream<unknown, unknown>, error: unknown, log: Logger): void {
  const info = toStatus(error);
  deps.metrics.failures.inc({ method, code: statusName(info.code) });
  if (info.expected) log.info({ code: statusName(info.code), details: info.details }, `${method} ended with an error status`);
  else log.error({ err: error }, `${method} failed`);
  if (call.cancelled || call.writableEnded) return;
  call.emit('error', toServiceError(info));
}

/**
 * Ends a streaming job that threw: records the job's outcome (its cancellation, if it was cancelled), sends
 * the events already queued, then closes the stream with the error's status.
 */
export async function failJobStream(
  deps: ServiceDeps,
  method: string,
  call: ServerWritableStream<unknown, unknown>,
  job: Job,
  writer: { flush(): Promise<void> },
  error: unknown,
  log: Logger,
): Promise<void> {
  const reported = jobError(job, error);
  finishJob(job, reported);
  await writer.flush();
  failStream(deps, method, call, reported, log);
}

/** Runs a unary handler body, mapping a thrown error to its status. */
export async function unary<Req, Res>(
  deps: ServiceDeps,
  method: string,
  call: ServerUnaryCall<Req, Res>,
  callback: sendUnaryData<Res>,
  body: (request: Req) => Res | Promise<Res>,
): Promise<void> {
  try {
    callback(null, await body(call.request));
  } catch (error) {
    const info = toStatus(error);
    deps.metrics.failures.inc({ method, code: statusName(info.code) });
    if (!info.expected) deps.logger.error({ err: error, method }, `${method} failed`);
    callback(toServiceError(info));
  }
}
