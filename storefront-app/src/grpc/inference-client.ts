// Client of the inference server's TryOn service. `TRYON_GRPC_ADDRESS` may name many servers (`dns:///name:port`);
// grpc-js balances calls round-robin, and a refused call is retried here, on the next server, with backoff: a busy
// server (RESOURCE_EXHAUSTED) until the shopper's deadline, an unreachable one (UNAVAILABLE) only while another
// server is connected. With none reachable the call fails at once (no wait-for-ready), so the shopper hears
// "unavailable" instead of watching a silent stream; the channel reconnects within seconds of a server's return.
// A job that has started is never retried.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { loadTryOnProto, type TryOnClient, type GenerateEvent__Output, type GenerateRequest, type TrainEvent__Output, type WearableCategory } from '@fitting-room/proto';
import { backoffDelayMs, sleep } from './backoff.js';
import { isServiceError } from './grpc-errors.js';

export interface TryOnInput {
  personImage: Buffer;
  garmentImage: Buffer;
  category: WearableCategory;
  garmentTitle: string;
  garmentDescription: string;
}

export type InferenceProgress =
  | { type: 'queued'; position: number }
  | { type: 'started' }
  | { type: 'progress'; step: number; totalSteps: number; previewJpeg?: Buffer };

export interface CallOptions {
  /** Epoch milliseconds after which the try-on is abandoned (queue time and retries included). */
  deadline: number;
  signal: AbortSignal;
  onEvent(event: InferenceProgress): void;
}

export interface TrainInput {
  /** Folder name under the inference server's datasets directory. */
  datasetPath: string;
  outputName: string;
  steps: number;
}

export type TrainProgress = { step: number; totalSteps: number; loss: number } | { done: true; modelName: string };

/** A finished try-on: the result PNG and what the inference server said about it (Result.warnings). */
export interface TryOnOutcome {
  png: Buffer;
  warnings: string[];
}

export interface InferenceClient {
  /** Resolves with the result; rejects with the gRPC ServiceError of the last attempt. */
  tryOn(input: TryOnInput, options: CallOptions): Promise<TryOnOutcome>;
  train(input: TrainInput, onProgress: (p: TrainProgress) => void, signal: AbortSignal): Promise<void>;
  close(): void;
}

const categoryEnum: Record<WearableCategory, GenerateRequest['category']> = {
  upper: 'UPPER_BODY',
  lower: 'LOWER_BODY',
  dress: 'DRESS',
};

/** Previews every few steps: enough to show motion, little extra encoding work on the server. */
const PREVIEW_EVERY = 4;

export interface GrpcInferenceClientOptions {
  address: string;
  apiKey?: string;
  /** Shoppers' try-ons: `fast` (LCM when the server has the LCM-LoRA, else standard) or `standard`. Default fast. */
  quality?: 'fast' | 'standard';
  log: Logger;
  credentials?: grpc.ChannelCredentials;
}

export class GrpcInferenceClient implements InferenceClient {
  private readonly client: TryOnClient;
  private readonly metadata = new grpc.Metadata();

  constructor(private readonly options: GrpcInferenceClientOptions) {
    const TryOn = loadTryOnProto().tryon.v1.TryOn;
    this.client = new TryOn(options.address, options.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({
        loadBalancingConfig: [{ round_robin: {} }],
        methodConfig: [{ name: [{ service: 'tryon.v1.TryOn' }], waitForReady: false }],
      }),
      // The default backoff grows to minutes while a server is down; shoppers should not wait that long after it is back.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // Retries are ours (above): they must respect the shopper's deadline and skip jobs that started.
      'grpc.enable_retries': 0,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    if (options.apiKey) this.metadata.set('authorization', `Bearer ${options.apiKey}`);
  }

  async tryOn(input: TryOnInput, options: CallOptions): Promise<TryOnOutcome> {
    const request: GenerateRequest = {
      mode: 'MODE_TRY_ON',
      person_image: input.personImage,
      garment_image: input.garmentImage,
      category: categoryEnum[input.category],
      garment_title: input.garmentTitle,
      garment_description: input.garmentDescription,
      preview_every: PREVIEW_EVERY,
      quality: this.options.quality === 'standard' ? 'QUALITY_STANDARD' : 'QUALITY_FAST',
    };
    for (let attempt = 0; ; attempt++) {
      const progress = { started: false };
      try {
        return await this.generateOnce(request, options, progress);
      } catch (err) {
        if (options.signal.aborted || progress.started || !this.worthRetrying(err)) throw err;
        const wait = backoffDelayMs(attempt);
        if (Date.now() + wait >= options.deadline) throw err;
        this.options.log.warn({ attempt: attempt + 1, status: grpc.status[err.code], waitMs: wait }, 'inference server refused the job; retrying');
        await sleep(wait, options.signal);
      }
    }
  }

  private worthRetrying(err: unknown): err is grpc.ServiceError {
    if (!isServiceError(err)) return false;
    if (err.code === grpc.status.RESOURCE_EXHAUSTED) return true;
    // Another server may take it; with none connected, waiting only hides the outage from the shopper.
    return err.code === grpc.status.UNAVAILABLE && this.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  private generateOnce(request: GenerateRequest, options: CallOptions, progress: { started: boolean }): Promise<TryOnOutcome> {
    return new Promise<TryOnOutcome>((resolve, reject) => {
      const call = this.client.Generate(request, this.metadata, { deadline: new Date(options.deadline) });
      let result: TryOnOutcome | undefined;
      const onAbort = () => call.cancel();
      options.signal.addEventListener('abort', onAbort, { once: true });
      const finish = () => options.signal.removeEventListener('abort', onAbort);
      call.on('data', (event: GenerateEvent__Output) => {
        if (event.event === 'queued' && event.queued) options.onEvent({ type: 'queued', position: event.queued.position });
        else if (event.event === 'started') {
          progress.started = true;
          options.onEvent({ type: 'started' });
        } else if (event.event === 'progress' && event.progress) {
          progress.started = true;
          const { step, total_steps, preview_jpeg } = event.progress;
          options.onEvent({ type: 'progress', step, totalSteps: total_steps, previewJpeg: preview_jpeg.length > 0 ? preview_jpeg : undefined });
        } else if (event.event === 'result' && event.result) result = { png: event.result.images_png[0], warnings: event.result.warnings };
      });
      call.on('error', (err) => {
        finish();
        reject(err);
      });
      call.on('end', () => {
        finish();
        if (result) resolve(result);
        else reject(new Error('the inference server ended the stream without a result image'));
      });
    });
  }

  train(input: TrainInput, onProgress: (p: TrainProgress) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const call = this.client.Train(
        { dataset_path: input.datasetPath, output_name: input.outputName, steps: input.steps, mode: 'TRAIN_MODE_LORA' },
        this.metadata,
      );
      const onAbort = () => call.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      call.on('data', (event: TrainEvent__Output) => {
        if (event.event === 'progress' && event.progress) {
          onProgress({ step: event.progress.step, totalSteps: event.progress.total_steps, loss: event.progress.loss });
        } else if (event.event === 'done' && event.done) onProgress({ done: true, modelName: event.done.model_name });
      });
      call.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      call.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
