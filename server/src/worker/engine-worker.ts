// The gRPC process's handle on the engine worker: a child process (worker-main.ts) that holds TensorFlow.js and
// the models, so no tensor code ever runs on the thread that answers gRPC, health and metrics. A child process
// rather than a worker thread, so that a native abort or an out-of-memory kill takes down only the worker: the
// job it was running fails with UNAVAILABLE, the worker is started again, and queued jobs go on once it is back.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendInfo } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { ModelEntry } from '../model-store/scan.js';
import { CancelledError } from '../cancellation.js';
import { WorkerJobError, WorkerStoppedError } from './errors.js';
import type { FromWorker, MemoryStats, ToWorker, TrainUpdate, WorkerSettings } from './protocol.js';
import type { GenerateOutput, GenerateProgress, GenerateSpec, TrainOutput, TrainRunContext, TrainSpec } from './runners/types.js';

export interface WorkerInfo {
  readonly pid: number;
  readonly backend: BackendInfo;
  readonly embeddedModelsDir?: string;
}

export interface EngineWorkerEvents {
  /** The worker is up: at start and after each restart. */
  onUp?(info: WorkerInfo): void;
  /** The worker went away unexpectedly; it is restarted after `restartInMs`. */
  onDown?(how: string, restartInMs: number): void;
  /** The models in memory changed. */
  onModels?(loaded: readonly string[], bytes: number): void;
}

export interface GenerateJobContext {
  readonly signal: AbortSignal;
  progress(update: GenerateProgress): void;
}

interface PendingJob {
  readonly onMessage: (message: FromWorker) => void;
  readonly reject: (error: Error) => void;
}

const WORKER_ENTRY = fileURLToPath(new URL(`./worker-main${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** Restart backoff: quick after a one-off crash, slower when the worker keeps dying at start. */
const RESTART_MS = [200, 1_000, 5_000, 15_000];
const STOP_TIMEOUT_MS = 10_000;

/** The TypeScript loader for the worker when the server itself runs from source (tsx, vitest). */
function execArgv(): string[] {
  if (!WORKER_ENTRY.endsWith('.ts')) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export class EngineWorker {
  private child: ChildProcess | undefined;
  private current: Promise<WorkerInfo> | undefined;
  private info: WorkerInfo | undefined;
  private readonly jobs = new Map<string, PendingJob>();
  private readonly requests = new Map<number, { resolve(reply: Extract<FromWorker, { type: 'reply' }>): void; reject(error: Error): void }>();
  private nextRequestId = 1;
  private crashesInARow = 0;
  private stopped = false;
  private restarts = 0;
  private stoppedStats: MemoryStats | undefined;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
    private readonly events: EngineWorkerEvents = {},
  ) {}

  /** The running worker's process id (undefined while it is restarting). */
  get pid(): number | undefined {
    return this.info?.pid;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** What the worker still held once `stop()` had it free its models (undefined until a clean stop). */
  get statsAtStop(): MemoryStats | undefined {
    return this.stoppedStats;
  }

  /** Starts the worker; rejects when its backend or embedded models cannot be set up. */
  start(): Promise<WorkerInfo> {
    this.current = this.spawn();
    return this.current;
  }

  /** Runs a Generate job to its end; the signal cancels it at the engine's next step. */
  async generate(jobId: string, spec: GenerateSpec, ctx: GenerateJobContext): Promise<GenerateOutput> {
    return this.runJob<GenerateOutput>(jobId, { type: 'generate', jobId, spec }, ctx.signal, (message, done) => {
      if (message.type === 'generate-progress') ctx.progress(message.update);
      else if (message.type === 'generate-done') done(message.output);
    });
  }

  /** Runs a Train job; between its steps the worker asks, and `ctx.yieldToInteractive` decides when it goes on. */
  async train(jobId: string, spec: TrainSpec, ctx: TrainRunContext): Promise<TrainOutput> {
    return this.runJob<TrainOutput>(jobId, { type: 'train', jobId, spec }, ctx.signal, (message, done) => {
      if (message.type === 'train-update') deliverTrainUpdate(message.update, ctx);
      else if (message.type === 'paused') {
        // A rejection means the job was cancelled while paused; the signal has already told the worker.
        ctx.yieldToInteractive().then(
          () => this.send({ type: 'resume', jobId }),
          () => {},
        );
      } else if (message.type === 'train-done') done(message.output);
    });
  }

  /** Loads a model into the worker's memory (the default model, before health says SERVING). */
  async preload(entry: ModelEntry): Promise<void> {
    const reply = await this.request((requestId) => ({ type: 'preload', requestId, entry }));
    if (reply.error) throw new Error(reply.error);
  }

  /** Memory of the worker; undefined when it does not answer within `timeoutMs` (it is busy computing). */
  async stats(timeoutMs: number): Promise<MemoryStats | undefined> {
    if (!this.info) return undefined;
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    const reply = this.request((requestId) => ({ type: 'stats', requestId })).then(
      (r) => r.stats,
      () => undefined,
    );
    return Promise.race([reply, timeout]);
  }

  /** Asks the worker to free its models and exit; kills it if it has not within 10 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // The channel's close, not only the exit, so its last message (`stopped`) has been read.
    const closed = (event: 'exit' | 'disconnect'): Promise<void> => new Promise((resolve) => child.once(event, () => resolve()));
    const exited = Promise.all([closed('exit'), child.connected ? closed('disconnect') : undefined]);
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async runJob<T>(jobId: string, start: ToWorker, signal: AbortSignal, onMessage: (message: FromWorker, done: (output: T) => void) => void): Promise<T> {
    await this.whenUp(signal);
    signal.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const reason = signal.reason instanceof CancelledError ? signal.reason.reason : 'cancel-requested';
        this.send({ type: 'cancel', jobId, reason });
      };
      const finish = (): void => {
        this.jobs.delete(jobId);
        signal.removeEventListener('abort', onAbort);
      };
      this.jobs.set(jobId, {
        onMessage: (message) => {
          if (message.type === 'failed') {
            finish();
            reject(new WorkerJobError(message.failure));
            return;
          }
          onMessage(message, (output) => {
            finish();
            resolve(output);
          });
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.send(start);
    });
  }

  /** Resolves once a worker is up, waiting through a restart; a cancelled job stops waiting. */
  private async whenUp(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      if (this.stopped) throw new WorkerStoppedError('the server is stopping', false);
      const current = this.current;
      if (!current) throw new Error('EngineWorker.start() was not called');
      try {
        await current;
        if (this.info) return;
      } catch {
        // A failed restart schedules the next one; wait for it.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private request(make: (requestId: number) => ToWorker): Promise<Extract<FromWorker, { type: 'reply' }>> {
    return new Promise((resolve, reject) => {
      const requestId = this.nextRequestId++;
      this.requests.set(requestId, { resolve, reject });
      if (!this.send(make(requestId))) {
        this.requests.delete(requestId);
        reject(new WorkerStoppedError('not running'));
      }
    });
  }

  private send(message: ToWorker): boolean {
    const child = this.child;
    if (!child?.connected) return false;
    child.send(message);
    return true;
  }

  private spawn(): Promise<WorkerInfo> {
    const child = fork(WORKER_ENTRY, [], {
      execArgv: execArgv(),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.send({ type: 'init', settings: this.settings } satisfies ToWorker);
    return new Promise<WorkerInfo>((resolve, reject) => {
      let initError: string | undefined;
      child.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            this.info = { pid: message.pid, backend: message.backend, embeddedModelsDir: message.embeddedModelsDir };
            this.logger.info({ workerPid: message.pid, backend: message.backend.name }, 'engine worker started');
            resolve(this.info);
            this.events.onUp?.(this.info);
            return;
          case 'init-failed':
            initError = message.message;
            return;
          case 'reply':
            this.requests.get(message.requestId)?.resolve(message);
            this.requests.delete(message.requestId);
            return;
          case 'models':
            this.crashesInARow = 0;
            this.events.onModels?.(message.loaded, message.bytes);
            return;
          case 'stopped':
            this.stoppedStats = message.stats;
            this.events.onModels?.(message.stats.modelsLoaded, message.stats.modelBytes);
            return;
          default:
            this.crashesInARow = 0;
            this.jobs.get(message.jobId)?.onMessage(message);
        }
      });
      child.once('exit', (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const wasUp = this.info !== undefined;
        this.info = undefined;
        this.child = undefined;
        const error = new WorkerStoppedError(how);
        [...this.jobs.values()].forEach((job) => job.reject(error));
        [...this.requests.values()].forEach((request) => request.reject(error));
        this.requests.clear();
        if (!wasUp) reject(new Error(`the engine worker did not start (${how})${initError ? `: ${initError}` : ''}`));
        if (this.stopped || !wasUp && this.restarts === 0) return;
        const delay = RESTART_MS[Math.min(this.crashesInARow, RESTART_MS.length - 1)];
        this.crashesInARow++;
        this.logger.error({ how, restartInMs: delay }, 'the engine worker stopped; restarting it');
        this.events.onDown?.(how, delay);
        setTimeout(() => {
          if (this.stopped) return;
          this.restarts++;
          this.current = this.spawn();
          this.current.catch((e: unknown) => this.logger.error({ err: e }, 'the engine worker could not be restarted'));
        }, delay);
      });
    });
  }
}

function deliverTrainUpdate(update: TrainUpdate, ctx: Omit<TrainRunContext, 'signal'>): void {
  switch (update.kind) {
    case 'dataset':
      return ctx.dataset(update.summary);
    case 'progress': {
      const { kind: _kind, ...progress } = update;
      return ctx.progress(progress);
    }
    case 'checkpoint':
      return ctx.checkpoint({ name: update.name, step: update.step });
    case 'sample':
      return ctx.sample({ prompt: update.prompt, image: update.image, step: update.step });
  }
}
