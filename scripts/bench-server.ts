// npm run bench:server -- [--clients 4] [--requests 5] [--steps 10] [--size 32] [--mode txt2img|try-on] [--probe-ms 20]
//                         [--address host:port --key KEY] [--backend wasm]
// Load benchmark of the gRPC server: N concurrent clients (each its own channel) send requests back to back.
// Without --address it starts a server in this process on the tiny fixture models (../shared/fixtures/sd-tiny).
// Reports throughput, latency p50/p95, time to first event (Queued), time to Started, and queue wait; and, beside
// them, how fast grpc.health.v1 Check answers while the jobs compute (one probe every --probe-ms).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { checkHealth, createHealthClient, createTryOnClient, startServer, type HealthClient, type RunningServer } from '@fitting-room/server';
import type { GenerateRequest, GenerateEvent__Output } from '@fitting-room/proto';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '4' },
    requests: { type: 'string', default: '5' },
    steps: { type: 'string', default: '10' },
    size: { type: 'string', default: '32' },
    mode: { type: 'string', default: 'txt2img' },
    address: { type: 'string' },
    key: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'probe-ms': { type: 'string', default: '20' },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

interface Sample {
  firstEventMs: number;
  startedMs: number;
  totalMs: number;
  queuedMs: number;
  images: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function runOne(client: ReturnType<typeof createTryOnClient>, request: GenerateRequest, metadata: grpc.Metadata): Promise<Sample> {
  const t0 = performance.now();
  let firstEventMs = -1;
  let startedMs = -1;
  return new Promise((resolve, reject) => {
    let result: GenerateEvent__Output['result'];
    const call = client.Generate(request, metadata);
    call.on('data', (event: GenerateEvent__Output) => {
      const now = performance.now() - t0;
      if (firstEventMs < 0) firstEventMs = now;
      if (event.started) startedMs = now;
      if (event.result) result = event.result;
    });
    call.on('error', reject);
    call.on('end', () => {
      if (!result) return reject(new Error('stream ended without a Result'));
      resolve({ firstEventMs, startedMs, totalMs: performance.now() - t0, queuedMs: result.timings?.queued_ms ?? 0, images: result.images_png.length });
    });
  });
}

/** Health checks back to back, `gapMs` apart, until `stop` resolves; each one's latency in ms. */
async function probeHealth(client: HealthClient, gapMs: number, stop: Promise<unknown>): Promise<number[]> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const latencies: number[] = [];
  while (!stopped) {
    const t0 = performance.now();
    await checkHealth(client);
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return latencies;
}

function linkedTinyModels(): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'bench-models-'));
  for (const name of ['sd-tiny', 'sd-tiny-inpaint']) fs.symlinkSync(path.join(sharedDir, 'fixtures/sd-tiny/models', name), path.join(dir, name));
  return dir;
}

async function main(): Promise<void> {
  const clients = positive('clients', values.clients);
  const requests = positive('requests', values.requests);
  const probeMs = positive('probe-ms', values['probe-ms']);
  const steps = positive('steps', values.steps);
  const size = positive('size', values.size);
  let server: RunningServer | undefined;
  let address = values.address;
  if (!address) {
    server = await startServer({ port: 0, host: '127.0.0.1', metricsPort: -1, modelsDir: linkedTinyModels(), backend: values.backend as 'wasm', logLevel: 'warn', maxQueue: clients * 2 });
    address = `127.0.0.1:${server.port}`;
  }
  const metadata = new grpc.Metadata();
  if (values.key) metadata.set('authorization', `Bearer ${values.key}`);
  const photos = path.join(sharedDir, 'fixtures/photos');
  const request: GenerateRequest =
    values.mode === 'try-on'
      ? { mode: 'MODE_TRY_ON', person_image: fs.readFileSync(path.join(photos, 'person/p01_half_woman_sleeveless.jpg')), garment_image: fs.readFileSync(path.join(photos, 'garment/g01_upper_polo.jpg')), category: 'UPPER_BODY' }
      : { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a red dress on a mannequin', steps, width: size, height: size, seed: 1 };
  const channels = Array.from({ length: clients }, () => createTryOnClient(address, grpc.credentials.createInsecure()));

  // One warm-up request so the first sample does not pay for loading the model.
  await runOne(channels[0], request, metadata);
  const samples: Sample[] = [];
  const health = createHealthClient(address, grpc.credentials.createInsecure());
  const t0 = performance.now();
  const load = Promise.all(
    channels.map(async (client) => {
      for (let i = 0; i < requests; i++) samples.push(await runOne(client, request, metadata));
    }),
  );
  const healthMs = await probeHealth(health, probeMs, load);
  await load;
  const wallSeconds = (performance.now() - t0) / 1000;
  channels.forEach((c) => c.close());
  health.close();
  await server?.stop(0);

  const ms = (v: number): string => `${v.toFixed(0)} ms`;
  const stat = (name: string, pick: (s: Sample) => number): string =>
    `${name.padEnd(22)} p50 ${ms(percentile(samples.map(pick), 50)).padStart(9)}   p95 ${ms(percentile(samples.map(pick), 95)).padStart(9)}`;
  const images = samples.reduce((sum, s) => sum + s.images, 0);
  console.log(`bench:server  mode ${values.mode}, ${values.mode === 'try-on' ? 'warp engine' : `${size}x${size}, ${steps} steps`}, ${clients} clients x ${requests} requests, backend ${server?.backend.name ?? 'remote'}`);
  console.log(`throughput             ${(samples.length / wallSeconds).toFixed(2)} requests/s, ${(images / wallSeconds).toFixed(2)} images/s (${samples.length} requests in ${wallSeconds.toFixed(1)} s)`);
  console.log(stat('latency', (s) => s.totalMs));
  console.log(stat('time to first event', (s) => s.firstEventMs));
  console.log(stat('time to Started', (s) => s.startedMs));
  console.log(stat('queue wait (server)', (s) => s.queuedMs));
  const healthStat = (p: number): string => ms(percentile(healthMs, p)).padStart(9);
  console.log(`${'health Check (during)'.padEnd(22)} p50 ${healthStat(50)}   p95 ${healthStat(95)}   p99 ${healthStat(99)}   max ${ms(Math.max(...healthMs))} (${healthMs.length} checks)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
