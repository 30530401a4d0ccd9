// The engine in its own process, against a real server process as deployed: health checks and ListJobs answer
// while a generation or a training run computes; CancelJob and a shopper's job act at the next step boundary;
// a worker killed from outside fails its job with UNAVAILABLE, is restarted, and the next job succeeds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { createTryOnClient, type TryOnClient } from '../../src/index.js';
import type { GenerateEvent__Output, TrainEvent__Output } from '@fitting-room/proto';
import { startInferenceProcess, type InferenceProcess } from '../support/inference-process.js';
import { cancelJob, checkHealth, collect, generate, getJob, healthClient, linkedModelsDir, listJobs, SHARED_DIR, waitFor, withKey, type HealthClient, writeColourDataset } from './helpers.js';

const KEY = 'engine-worker-test-key';
const md = (): grpc.Metadata => withKey(KEY);
const PROBES = 100;
const PROBE_GAP_MS = 30;
const MAX_ANSWER_MS = 250;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-worker-'));
const datasetsDir = path.join(dataDir, 'datasets');
const photos = path.join(SHARED_DIR, 'fixtures/photos');
let server: InferenceProcess;
let client: TryOnClient;
let health: HealthClient;

/** A run long enough that every probe lands inside it (it is cancelled when they are done). */
const longGeneration = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a long run', steps: 150, width: 256, height: 256, seed: 3 } as const;

const serverHealth = (): Promise<string> => checkHealth(health);

/** Alternates health checks and ListJobs, `PROBES` in all, spaced over the run; returns each one's latency. */
async function probe(): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const started = performance.now();
    if (i % 2 === 0) expect(await serverHealth()).toBe('SERVING');
    else await listJobs(client, {}, md());
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
  }
  return latencies;
}

function workerPids(): number[] {
  return server
    .logs()
    .filter((line) => line.msg === 'engine worker started')
    .map((line) => Number(line.workerPid));
}

beforeAll(async () => {
  await writeColourDataset(path.join(datasetsDir, 'shop'), { red: { r: 220, g: 30, b: 30 }, blue: { r: 30, g: 40, b: 220 } });
  server = await startInferenceProcess(
    { TRYON_MODELS_DIR: linkedModelsDir(), TRYON_DATA_DIR: dataDir, TRYON_DATASETS_DIR: datasetsDir, TRYON_BACKEND: 'wasm', TRYON_LOG_LEVEL: 'info' },
    KEY,
  );
  client = createTryOnClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  health = healthClient(server.port);
  const deadline = Date.now() + 60_000;
  while ((await serverHealth().catch(() => '')) !== 'SERVING') {
    if (Date.now() > deadline) throw new Error('server never became SERVING');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 120_000);

afterAll(async () => {
  client?.close();
  health?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the engine worker process', () => {
  it('answers health and ListJobs within 250 ms throughout a generation; CancelJob stops it within one step', async () => {
    let jobId = '';
    const steps: number[] = [];
    const run = generate(client, longGeneration, {
      metadata: md(),
      onEvent: (e) => {
        if (e.queued) jobId = e.queued.job_id;
        if (e.progress?.stage === 'denoising') steps.push(e.progress.step);
      },
    });
    await waitFor(() => steps.length >= 2, 60_000, 'the generation to be stepping');
    const latencies = await probe();
    const before = await getJob(client, jobId, md());
    // Cancelled before any assertion, so a failed one does not leave a 150-step run in front of the next tests.
    await cancelJob(client, jobId, md());
    expect(before.state).toBe('JOB_STATE_RUNNING');
    expect(Math.max(...latencies)).toBeLessThan(MAX_ANSWER_MS);

    const { error } = await run;
    expect(error?.code).toBe(status.CANCELLED);
    const cancelled = await getJob(client, jobId, md());
    expect(cancelled.state).toBe('JOB_STATE_CANCELLED');
    // The step that was running when CancelJob came is the last one.
    expect(cancelled.step - before.step).toBeLessThanOrEqual(1);
    expect(Math.max(...steps)).toBe(cancelled.step);
    expect(cancelled.step).toBeLessThan(longGeneration.steps);
  }, 120_000);

  it('answers within 250 ms throughout a training run, and a try-on sent during it starts within one training step', async () => {
    let trainJobId = '';
    let lastStep = 0;
    const call = client.Train(
      { dataset_path: 'shop', base_model: 'sd-tiny', mode: 'TRAIN_MODE_LORA', steps: 2000, batch_size: 1, resolution: 32, rank: 2, learning_rate: 1e-4, output_name: 'worker-test-lora', seed: 5 },
      md(),
    );
    const training = collect<TrainEvent__Output>(call, (e) => {
      if (e.queued) trainJobId = e.queued.job_id;
      if (e.progress) lastStep = e.progress.step;
    });
    await waitFor(() => lastStep >= 2, 60_000, 'training to be stepping');
    const latencies = await probe();
    expect((await getJob(client, trainJobId, md())).state).toBe('JOB_STATE_RUNNING');
    expect(Math.max(...latencies)).toBeLessThan(MAX_ANSWER_MS);

    const stepAtSubmit = lastStep;
    const tryOnEvents: string[] = [];
    const tryOn = await generate(
      client,
      {
        mode: 'MODE_TRY_ON',
        person_image: fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg')),
        garment_image: fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg')),
        category: 'UPPER_BODY',
      },
      { metadata: md(), onEvent: (e: GenerateEvent__Output) => tryOnEvents.push(e.event ?? '?') },
    );
    expect(tryOn.error).toBeUndefined();
    expect(tryOnEvents.at(-1)).toBe('result');
    call.cancel();
    const { events } = await training;
    const paused = events.find((e) => e.paused)?.paused;
    expect(paused, 'the training run reports that it paused for the shopper').toBeDefined();
    expect(paused!.step - stepAtSubmit).toBeLessThanOrEqual(1);
    expect(paused!.waiting_jobs).toBe(1);
    // It resumed after the shopper's job.
    expect(events.findIndex((e) => e.started && events.indexOf(e) > events.findIndex((p) => p.paused))).toBeGreaterThan(0);
  }, 180_000);

  it('fails the running job with UNAVAILABLE when the worker is killed, restarts it, and the next job succeeds', async () => {
    const [firstPid] = workerPids();
    expect(firstPid).toBeGreaterThan(0);
    let stepping = false;
    const run = generate(client, longGeneration, { metadata: md(), onEvent: (e) => (stepping ||= e.progress?.stage === 'denoising') });
    await waitFor(() => stepping, 60_000, 'the generation to be stepping');
    process.kill(firstPid, 'SIGKILL');
    const { error } = await run;
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(error?.details).toMatch(/engine worker stopped \(signal SIGKILL\).*restarted/);

    const seen = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (!(seen.has('NOT_SERVING') && seen.has('SERVING') && (await serverHealth()) === 'SERVING')) {
      seen.add(await serverHealth());
      if (Date.now() > deadline) throw new Error(`health never came back: ${[...seen].join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(workerPids()).toHaveLength(2);
    expect(workerPids()[1]).not.toBe(firstPid);

    const next = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'after the crash', steps: 4, width: 64, height: 64, seed: 1 }, { metadata: md() });
    expect(next.error).toBeUndefined();
    expect(next.events.at(-1)?.result?.images_png).toHaveLength(1);
  }, 120_000);
});
