// A real grpc-js server implementing tryon.v1.TryOn on loopback, whose Generate follows a script given by
// the test (queued/started/progress/result, a status error, or waiting to be cancelled). It stands in for the
// inference server where a test needs behaviour the real one only shows under load (busy, crashes).
import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { loadTryOnProto, type GenerateEvent, type GenerateRequest__Output, type TrainEvent, type TrainRequest__Output } from '@fitting-room/proto';

export type GenerateCall = grpc.ServerWritableStream<GenerateRequest__Output, GenerateEvent>;
export type GenerateScript = (call: GenerateCall) => Promise<void>;

export const resultPng = () => sharp({ create: { width: 64, height: 96, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
const previewJpeg = () => sharp({ create: { width: 16, height: 24, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer();

const write = (call: GenerateCall, event: GenerateEvent) =>
  new Promise<void>((resolve) => {
    if (!call.write(event)) call.once('drain', resolve);
    else resolve();
  });

/** Queued at 1 then 0, started, `steps` progress events (a preview on step 2), then a result. */
export const succeed = (steps = 3, warnings: string[] = []): GenerateScript => async (call) => {
  await write(call, { queued: { position: 1, job_id: 'j1' } });
  await write(call, { queued: { position: 0, job_id: 'j1' } });
  await write(call, { started: { job_id: 'j1' } });
  for (let step = 1; step <= steps; step++) {
    await write(call, { progress: { step, total_steps: steps, stage: 'denoising', preview_jpeg: step === 2 ? await previewJpeg() : Buffer.alloc(0) } });
  }
  await write(call, { result: { images_png: [await resultPng()], seeds: ['7'], job_id: 'j1', warnings } });
  call.end();
};

/** Fails with a status before the job starts. */
/** The trailing metadata the real server sends with a failure: its reason as google.rpc.ErrorInfo has it. */
export function reasonMetadata(reason?: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (reason) {
    metadata.set('error-reason', reason);
    metadata.set('error-domain', 'tryon.v1');
  }
  return metadata;
}

export const refuse =
  (code: grpc.status, details: string, reason?: string): GenerateScript =>
  async (call) => {
    call.emit('error', { code, details, metadata: reasonMetadata(reason) });
  };

/** Starts, reports one step, then waits until the client cancels the call. */
export const runUntilCancelled = (onCancelled: () => void): GenerateScript => async (call) => {
  await write(call, { queued: { position: 0, job_id: 'j2' } });
  await write(call, { started: { job_id: 'j2' } });
  await write(call, { progress: { step: 1, total_steps: 50, stage: 'denoising' } });
  await new Promise<void>((resolve) => call.on('cancelled', () => {
    onCancelled();
    resolve();
  }));
};

export interface ScriptedInference {
  address: string;
  port: number;
  /** Generate requests received (request metadata and the person photo's size, for assertions). */
  received: { personImageBytes: number; garmentImageBytes: number; category: string; authorization: string | undefined }[];
  script: GenerateScript;
  train?: (req: TrainRequest__Output, call: grpc.ServerWritableStream<TrainRequest__Output, TrainEvent>) => Promise<void>;
  stop(): Promise<void>;
}

export async function startScriptedInference(script: GenerateScript, host = '127.0.0.1'): Promise<ScriptedInference> {
  const server = new grpc.Server();
  const state: ScriptedInference = {
    address: '',
    port: 0,
    received: [],
    script,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) => callback({ code: grpc.status.UNIMPLEMENTED });
  server.addService(loadTryOnProto().tryon.v1.TryOn.service, {
    Generate: (call: GenerateCall) => {
      state.received.push({
        personImageBytes: call.request.person_image.length,
        garmentImageBytes: call.request.garment_image.length,
        category: call.request.category,
        authorization: call.metadata.get('authorization')[0]?.toString(),
      });
      state.script(call).catch((err: unknown) => call.destroy(err as Error));
    },
    Train: (call: grpc.ServerWritableStream<TrainRequest__Output, TrainEvent>) => {
      if (!state.train) return call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'no Train script' });
      state.train(call.request, call).then(() => call.end(), (err: unknown) => call.destroy(err as Error));
    },
    GetJob: unimplemented,
    CancelJob: unimplemented,
    ListJobs: unimplemented,
    ListModels: unimplemented,
  });
  state.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  state.address = `${host}:${state.port}`;
  return state;
}
