// The engine worker process: TensorFlow.js, the models in memory and the job runners. Started and supervised by
// engine-worker.ts in the gRPC process, it runs what it is told (protocol.ts) and never decides what runs when:
// while a training job waits in `paused`, the shopper's job it was paused for runs here in the meantime.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/index.js';
import { toStatus } from '../grpc/errors.js';
import { createLogger, type Logger } from '../logger.js';
import { ensureEmbeddedModels } from '../model-store/embedded.js';
import { CancelledError } from '../cancellation.js';
import type { FromWorker, JobFailure, MemoryStats, ToWorker, TrainUpdate, WorkerSettings } from './protocol.js';
import { createRunners } from './runners/index.js';
import type { GenerateSpec, JobRunners, TrainSpec } from './runners/types.js';
import { createWorkerModels, type WorkerModels } from './runners/worker-models.js';

interface RunningJob {
  readonly controller: AbortController;
  /** Set while a training job waits for `resume`. */
  paused?: { resolve(): void; reject(reason: unknown): void };
}

/** What init built: the worker's logger, its models in memory and the job runners over them. */
interface WorkerState {
  readonly logger: Logger;
  readonly models: WorkerModels;
  readonly runners: JobRunners;
}

const jobs = new Map<string, RunningJob>();
let state: WorkerState | undefined;

function send(message: FromWorker): void {
  process.send?.(message);
}

function memoryStats(): MemoryStats {
  const memory = process.memoryUsage();
  const tensors = tf.memory();
  const registry = state?.models.registry;
  const models = registry?.resident() ?? [];
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    tensors: tensors.numTensors,
    tensorBytes: tensors.numBytes,
    modelsLoaded: models.map((m) => m.name),
    modelBytes: registry?.residentBytes() ?? 0,
    models,
    modelBudgetBytes: registry?.budgetBytes ?? 0,
  };
}

function sendModels(): void {
  const registry = state?.models.registry;
  send({ type: 'models', loaded: registry?.resident().map((m) => m.name) ?? [], bytes: registry?.residentBytes() ?? 0 });
}

async function init(settings: WorkerSettings): Promise<void> {
  const logger = createLogger(settings.logLevel).child({ component: 'engine-worker' });
  const backend = await initBackend(settings.backend, {
    logger,
    ...(settings.maxTensorBytes ? { maxTensorBytes: settings.maxTensorBytes } : {}),
    ...(settings.wasmThreads ? { wasmThreads: settings.wasmThreads } : {}),
  });
  let embeddedModelsDir: string | undefined;
  if (!settings.modelsDir) {
    const started = performance.now();
    embeddedModelsDir = await ensureEmbeddedModels(settings.dataDir);
    logger.info({ dir: embeddedModelsDir, ms: Math.round(performance.now() - started) }, 'no TRYON_MODELS_DIR: serving the embedded tiny models (random weights) and the warp try-on engine');
  }
  const models = createWorkerModels(settings.modelMemoryBytes, settings.offloadUnet, {
    onLoaded: (model, ms) => {
      logger.info({ model: model.name, kind: model.kind, ms, bytes: model.bytes }, 'model loaded');
      sendModels();
    },
    onEvicted: (model) => {
      logger.info({ model: model.name, kind: model.kind }, 'model evicted (LRU)');
      sendModels();
    },
    onOverBudget: (model, bytes, budget) => logger.warn({ model: model.name, kind: model.kind, bytes, budget }, 'models in use exceed the memory budget'),
  });
  state = { logger, models, runners: createRunners({ models, dataDir: settings.dataDir, offloadUNetWeights: settings.offloadUnet }) };
  send({ type: 'ready', pid: process.pid, backend, ...(embeddedModelsDir ? { embeddedModelsDir } : {}) });
}

function failure(error: unknown, signal: AbortSignal): JobFailure {
  // A cancelled job may throw whatever the engine threw on its way out; the cancellation is what happened.
  const reported = signal.aborted && signal.reason instanceof CancelledError ? signal.reason : error;
  const info = toStatus(reported);
  const err = reported instanceof Error ? reported : new Error(String(reported));
  return { code: info.code, details: info.details, reason: info.reason, expected: info.expected, message: err.message, stack: err.stack };
}

/** Runs one job to its end, always answering with a done or a failed message. */
async function runJob(jobId: string, body: (job: RunningJob, state: WorkerState) => Promise<FromWorker>): Promise<void> {
  const job: RunningJob = { controller: new AbortController() };
  jobs.set(jobId, job);
  try {
    if (!state) throw new Error('the engine worker got a job before init');
    send(await body(job, state));
  } catch (error) {
    send({ type: 'failed', jobId, failure: failure(error, job.controller.signal) });
  } finally {
    jobs.delete(jobId);
  }
}

function generate(jobId: string, spec: GenerateSpec): Promise<void> {
  return runJob(jobId, async (job, { runners }) => {
    const output = await runners.generate[spec.mode].run(spec, {
      signal: job.controller.signal,
      wantsPreview: (step) => spec.previewEvery > 0 && step % spec.previewEvery === 0,
      progress: (update) => send({ type: 'generate-progress', jobId, update }),
    });
    return { type: 'generate-done', jobId, output };
  });
}

function train(jobId: string, spec: TrainSpec): Promise<void> {
  return runJob(jobId, async (job, { runners }) => {
    const update = (u: TrainUpdate): void => send({ type: 'train-update', jobId, update: u });
    const output = await runners.train.run(spec, {
      signal: job.controller.signal,
      yieldToInteractive: () =>
        new Promise<void>((resolve, reject) => {
          job.controller.signal.throwIfAborted();
          job.paused = { resolve, reject };
          send({ type: 'paused', jobId });
        }).finally(() => (job.paused = undefined)),
      dataset: (summary) => update({ kind: 'dataset', summary }),
      progress: (p) => update({ kind: 'progress', ...p }),
      checkpoint: (c) => update({ kind: 'checkpoint', ...c }),
      sample: (s) => update({ kind: 'sample', ...s }),
    });
    return { type: 'train-done', jobId, output };
  });
}

async function preload(requestId: number, message: Extract<ToWorker, { type: 'preload' }>): Promise<void> {
  try {
    if (!state) throw new Error('the engine worker got preload before init');
    (await state.models.stableDiffusion.acquire(message.entry)).release();
    send({ type: 'reply', requestId });
  } catch (error) {
    send({ type: 'reply', requestId, error: error instanceof Error ? error.message : String(error) });
  }
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'init':
      init(message.settings).catch((error: unknown) => {
        send({ type: 'init-failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        process.exitCode = 1;
        process.disconnect?.();
      });
      return;
    case 'preload':
      void preload(message.requestId, message);
      return;
    case 'stats':
      send({ type: 'reply', requestId: message.requestId, stats: memoryStats() });
      return;
    case 'generate':
      void generate(message.jobId, message.spec);
      return;
    case 'train':
      void train(message.jobId, message.spec);
      return;
    case 'cancel': {
      const job = jobs.get(message.jobId);
      if (!job) return;
      const reason = new CancelledError(message.reason);
      job.controller.abort(reason);
      job.paused?.reject(reason);
      return;
    }
    case 'resume':
      jobs.get(message.jobId)?.paused?.resolve();
      return;
    case 'shutdown':
      state?.models.registry.disposeAll();
      // Sent before disconnecting, so the gRPC process learns what a clean stop left behind.
      if (process.send) process.send({ type: 'stopped', stats: memoryStats() } satisfies FromWorker, () => process.disconnect?.());
      return;
  }
}

process.on('message', (message: ToWorker) => handle(message));
// The gRPC process is gone (crashed or killed): nothing is left to report to.
process.on('disconnect', () => process.exit());
