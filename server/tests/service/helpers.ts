// Shared by the server tests: a real server on loopback, a real grpc-js client, stream collection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { startServer, createHealthClient, createTryOnClient, type HealthClient, type RunningServer, type TryOnClient } from '../../src/index.js';
export { checkHealth, type HealthClient } from '../../src/index.js';
import type { ServerConfigInput } from '../../src/config.js';
import type { StartOptions } from '../../src/server.js';
import type { GenerateRequest, GenerateEvent__Output, Job__Output, ListJobsRequest, ListJobsResponse__Output, ListModelsRequest, ListModelsResponse__Output } from '@fitting-room/proto';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const TINY_MODELS_DIR = path.join(SHARED_DIR, 'fixtures/sd-tiny/models');
export const TINY_LORA = path.join(SHARED_DIR, 'fixtures/sd-tiny/lora/sd-tiny-kohya.safetensors');

/** A models directory of links to the fixtures: sd-tiny, sd-tiny-inpaint and the LoRA as sd-tiny-kohya. */
export function linkedModelsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-models-'));
  for (const name of ['sd-tiny', 'sd-tiny-inpaint']) fs.symlinkSync(path.join(TINY_MODELS_DIR, name), path.join(dir, name));
  fs.symlinkSync(TINY_LORA, path.join(dir, 'sd-tiny-kohya.safetensors'));
  return dir;
}

export async function startTestServer(overrides: Partial<ServerConfigInput> = {}, options: StartOptions = {}): Promise<RunningServer> {
  return startServer(
    { port: 0, host: '127.0.0.1', metricsPort: -1, modelsDir: linkedModelsDir(), backend: 'wasm', logLevel: 'silent', shutdownGraceMs: 2_000, ...overrides },
    { env: {}, ...options },
  );
}

export function connect(server: { port: number }): TryOnClient {
  return createTryOnClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
}

/** A grpc.health.v1 client for a server on loopback. */
export function healthClient(port: number): HealthClient {
  return createHealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function withKey(key: string, header: 'authorization' | 'x-api-key' = 'authorization'): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(header, header === 'authorization' ? `Bearer ${key}` : key);
  return metadata;
}

export interface Collected<E> {
  events: E[];
  error?: grpc.ServiceError;
}

/** Reads a server stream to its end; a gRPC error status is returned, not thrown. */
export function collect<E>(stream: grpc.ClientReadableStream<E>, onEvent?: (event: E) => void): Promise<Collected<E>> {
  return new Promise((resolve) => {
    const events: E[] = [];
    stream.on('data', (event: E) => {
      events.push(event);
      onEvent?.(event);
    });
    stream.on('error', (error: grpc.ServiceError) => resolve({ events, error }));
    stream.on('end', () => resolve({ events }));
  });
}

export function generate(
  client: TryOnClient,
  request: GenerateRequest,
  options: { metadata?: grpc.Metadata; deadlineMs?: number; onEvent?: (event: GenerateEvent__Output, call: grpc.ClientReadableStream<GenerateEvent__Output>) => void } = {},
): Promise<Collected<GenerateEvent__Output>> {
  const callOptions: grpc.CallOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
  const call = client.Generate(request, options.metadata ?? new grpc.Metadata(), callOptions);
  return collect(call, (event) => options.onEvent?.(event, call));
}

function promised<Res>(start: (callback: (error: grpc.ServiceError | null, response?: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((error, response) => (error ? reject(error) : resolve(response as Res)));
  });
}

export const getJob = (c: TryOnClient, id: string, md = new grpc.Metadata()): Promise<Job__Output> => promised((cb) => c.GetJob({ id }, md, cb));
export const cancelJob = (c: TryOnClient, id: string, md = new grpc.Metadata()): Promise<Job__Output> => promised((cb) => c.CancelJob({ id }, md, cb));
export const listJobs = (c: TryOnClient, req: ListJobsRequest = {}, md = new grpc.Metadata()): Promise<ListJobsResponse__Output> =>
  promised((cb) => c.ListJobs(req, md, cb));
export const listModels = (c: TryOnClient, req: ListModelsRequest = {}, md = new grpc.Metadata()): Promise<ListModelsResponse__Output> =>
  promised((cb) => c.ListModels(req, md, cb));

export function eventNames(events: GenerateEvent__Output[]): string[] {
  return events.map((e) => e.event ?? '?');
}

/** A solid-colour image file of the given format. */
export function solidImage(width: number, height: number, format: 'png' | 'jpeg' | 'webp' = 'png', colour = { r: 200, g: 40, b: 60 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();
}

/** A paired-folder dataset (name.png + name.txt) of plain squares, one per colour, captioned "a <colour> dress". */
export async function writeColourDataset(dir: string, colours: Record<string, { r: number; g: number; b: number }>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, colour] of Object.entries(colours)) {
    fs.writeFileSync(path.join(dir, `${name}.png`), await solidImage(32, 32, 'png', colour));
    fs.writeFileSync(path.join(dir, `${name}.txt`), `a ${name} dress`);
  }
}

/** A mask: white (repaint) in the left half. */
export function halfMask(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width / 2; x++) data[y * width + x] = 255;
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

export function waitFor(condition: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** Polls GetJob until the job reaches `state`. */
export async function waitForJobState(client: TryOnClient, id: string, state: string, timeoutMs = 15_000): Promise<Job__Output> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(client, id);
    if (job.state === state) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${job.state}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
