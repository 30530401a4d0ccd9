// The messages between the gRPC process and the engine worker process (Node IPC, structured clone, so
// Buffers and Uint8Arrays travel as bytes). The gRPC side owns the queue and decides when jobs run; the worker
// only computes: it runs what it is told, reports progress, and stops a job when told to.
import type { BackendInfo, BackendName } from '../engine/index.js';
import type { ResidentModel } from '../model-store/registry.js';
import type { ModelEntry } from '../model-store/scan.js';
import type { CancelReason } from '../cancellation.js';
import type { DatasetSummary, GenerateOutput, GenerateProgress, GenerateSpec, RawImage, TrainOutput, TrainSpec } from './runners/types.js';

/** What the worker needs to know of the server's configuration. */
export interface WorkerSettings {
  readonly backend?: BackendName;
  readonly maxTensorBytes?: number;
  readonly wasmThreads?: number;
  readonly dataDir: string;
  /** Unset: the worker writes the embedded tiny models and reports their folder. */
  readonly modelsDir?: string;
  readonly offloadUnet: boolean;
  readonly modelMemoryBytes: number;
  readonly logLevel: string;
}

/** A job's failure as the gRPC layer will report it; computed in the worker, where the error's class is known. */
export interface JobFailure {
  readonly code: number;
  readonly details: string;
  /** The machine-readable reason (grpc/errors.ts ErrorReason). */
  readonly reason: string;
  /** false: an engine bug; `message` and `stack` go to the log, never to the client. */
  readonly expected: boolean;
  readonly message: string;
  readonly stack?: string;
}

export interface MemoryStats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** TensorFlow.js: tensors alive and their bytes on the backend. */
  readonly tensors: number;
  readonly tensorBytes: number;
  /** Names of the models in memory, every kind. */
  readonly modelsLoaded: readonly string[];
  readonly modelBytes: number;
  /** The same models with their kind, bytes and leases, least recently used first. */
  readonly models: readonly ResidentModel[];
  readonly modelBudgetBytes: number;
}

export type TrainUpdate =
  | { readonly kind: 'dataset'; readonly summary: DatasetSummary }
  | { readonly kind: 'progress'; readonly step: number; readonly totalSteps: number; readonly loss: number; readonly learningRate: number; readonly imagesPerSecond: number; readonly etaSeconds: number }
  | { readonly kind: 'checkpoint'; readonly name: string; readonly step: number }
  | { readonly kind: 'sample'; readonly prompt: string; readonly image: RawImage; readonly step: number };

/** gRPC process → worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly settings: WorkerSettings }
  | { readonly type: 'preload'; readonly requestId: number; readonly entry: ModelEntry }
  | { readonly type: 'stats'; readonly requestId: number }
  | { readonly type: 'generate'; readonly jobId: string; readonly spec: GenerateSpec }
  | { readonly type: 'train'; readonly jobId: string; readonly spec: TrainSpec }
  /** Stops the job at its next step boundary; it then answers `failed` with the cancellation. */
  | { readonly type: 'cancel'; readonly jobId: string; readonly reason: CancelReason }
  /** Answer to `paused`: the training job may take its next step. */
  | { readonly type: 'resume'; readonly jobId: string }
  | { readonly type: 'shutdown' };

/** Worker → gRPC process. */
export type FromWorker =
  | { readonly type: 'ready'; readonly pid: number; readonly backend: BackendInfo; readonly embeddedModelsDir?: string }
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'reply'; readonly requestId: number; readonly error?: string; readonly stats?: MemoryStats }
  /** After a model was loaded or evicted: the models now in memory. */
  | { readonly type: 'models'; readonly loaded: readonly string[]; readonly bytes: number }
  | { readonly type: 'generate-progress'; readonly jobId: string; readonly update: GenerateProgress }
  | { readonly type: 'train-update'; readonly jobId: string; readonly update: TrainUpdate }
  /**
   * A training job finished a step and waits here, before the next, for `resume`: the gRPC process gives the
   * worker to waiting shoppers' jobs first (it runs them while this job waits), then resumes it.
   */
  | { readonly type: 'paused'; readonly jobId: string }
  /** After `shutdown` freed every idle model, just before the worker disconnects: what it still holds. */
  | { readonly type: 'stopped'; readonly stats: MemoryStats }
  | { readonly type: 'generate-done'; readonly jobId: string; readonly output: GenerateOutput }
  | { readonly type: 'train-done'; readonly jobId: string; readonly output: TrainOutput }
  | { readonly type: 'failed'; readonly jobId: string; readonly failure: JobFailure };
