// Train through the server on a tiny generated dataset: streaming, yielding to a shopper, publishing the LoRA.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { TrainEvent__Output, TrainRequest, GenerateEvent__Output } from '@fitting-room/proto';
import { collect, connect, generate, getJob, linkedModelsDir, listModels, solidImage, startTestServer } from './helpers.js';

const COLOURS = { red: { r: 220, g: 30, b: 30 }, green: { r: 30, g: 200, b: 40 }, blue: { r: 30, g: 40, b: 220 }, yellow: { r: 230, g: 220, b: 30 } };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-train-data-'));
const datasetsDir = path.join(dataDir, 'datasets');
const modelsDir = linkedModelsDir();
let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  // A paired folder (name.png + name.txt): one plain square per colour, captioned with its colour.
  const shop = path.join(datasetsDir, 'shop');
  fs.mkdirSync(shop, { recursive: true });
  for (const [name, colour] of Object.entries(COLOURS)) {
    fs.writeFileSync(path.join(shop, `${name}.png`), await solidImage(32, 32, 'png', colour));
    fs.writeFileSync(path.join(shop, `${name}.txt`), `a ${name} dress`);
  }
  fs.writeFileSync(path.join(shop, 'broken.png'), 'not an image');
  fs.writeFileSync(path.join(shop, 'broken.txt'), 'a broken dress');
  server = await startTestServer({ modelsDir, dataDir, datasetsDir });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const request: TrainRequest = {
  dataset_path: 'shop',
  keywords: ['red', 'green', 'blue'],
  base_model: 'sd-tiny',
  mode: 'TRAIN_MODE_LORA',
  steps: 6,
  batch_size: 1,
  resolution: 32,
  rank: 2,
  learning_rate: 1e-3,
  output_name: 'shop-lora',
  seed: 11,
};

describe('Train', () => {
  it('streams progress, yields to a shopper between steps, resumes, and publishes the LoRA', async () => {
    await expect(listModels(client, { kind: 'MODEL_KIND_LORA' })).resolves.toMatchObject({ models: [expect.objectContaining({ name: 'sd-tiny-kohya' })] });
    const timeline: string[] = [];
    let shopper: Promise<{ events: GenerateEvent__Output[] }> | undefined;
    let trainJobId = '';
    let trainStateWhileShopperRan = '';
    const call = client.Train(request);
    const training = collect<TrainEvent__Output>(call, (event) => {
      timeline.push(`train:${event.event}`);
      if (event.queued) trainJobId = event.queued.job_id;
      if (event.progress?.step === 1 && !shopper) {
        shopper = generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a hat', steps: 8, width: 32, height: 32, seed: 1 }, {
          onEvent: (e) => {
            timeline.push(`shopper:${e.event}`);
            if (e.started) void getJob(client, trainJobId).then((job) => (trainStateWhileShopperRan = job.state));
          },
        });
      }
    });
    const { events, error } = await training;
    expect(error).toBeUndefined();
    const shopperRun = await shopper!;
    expect(shopperRun.events.at(-1)?.event).toBe('result');

    const dataset = events.find((e) => e.dataset)!.dataset!;
    expect(dataset).toMatchObject({ format: 'paired-folder', kept: 3, dropped: 1, unreadable: 1 });
    const steps = events.filter((e) => e.progress).map((e) => e.progress!.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.filter((e) => e.progress).every((e) => Number.isFinite(e.progress!.loss) && e.progress!.total_steps === 6)).toBe(true);

    // The shopper ran while training was paused (the server's own record), and training resumed after it.
    // Order across the two streams is only checked where the server implies it: the shopper's result comes
    // before training's end, and the training stream says Paused, then Started again.
    expect(trainStateWhileShopperRan).toBe('JOB_STATE_PAUSED');
    const trainOnly = timeline.filter((t) => t.startsWith('train:'));
    const paused = trainOnly.indexOf('train:paused');
    expect(paused).toBeGreaterThan(trainOnly.indexOf('train:started'));
    expect(trainOnly.indexOf('train:started', paused)).toBeGreaterThan(paused);
    expect(timeline.indexOf('train:done')).toBeGreaterThan(timeline.indexOf('shopper:result'));

    expect(events.at(-1)!.done).toMatchObject({ model_name: 'shop-lora', steps: 6 });
    const loras = (await listModels(client, { kind: 'MODEL_KIND_LORA' })).models.map((m) => m.name);
    expect(loras).toContain('shop-lora');
    expect(fs.existsSync(path.join(modelsDir, 'shop-lora.safetensors'))).toBe(true);
    const withLora = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a red dress', steps: 2, width: 16, height: 16, seed: 2, loras: [{ name: 'shop-lora', scale: 1 }] });
    expect(withLora.error).toBeUndefined();
  });

  it('refuses an output name that is already a model, unless resuming', async () => {
    const { error } = await collect(client.Train({ ...request, output_name: 'sd-tiny' }));
    expect(error?.code).toBe(status.ALREADY_EXISTS);
  });

  it('a cancelled training job ends with CANCELLED and publishes nothing', async () => {
    let cancelled = false;
    const call = client.Train({ ...request, steps: 50, output_name: 'never-finished' });
    const { error } = await collect<TrainEvent__Output>(call, (event) => {
      if (event.progress && !cancelled) {
        cancelled = true;
        call.cancel();
      }
    });
    expect(error?.code).toBe(status.CANCELLED);
    const names = (await listModels(client)).models.map((m) => m.name);
    expect(names).not.toContain('never-finished');
  });
});
