// A server with TRYON_OFFLOAD_UNET (UNet weights in host memory, for SD 1.5 on wasm): the same images as a
// server with resident weights, UNet LoRA training through it, and clear INVALID_ARGUMENT errors for what it
// cannot do (apply LoRAs, full fine-tunes, text-encoder LoRAs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { TrainEvent__Output, TrainRequest } from '@fitting-room/proto';
import { collect, connect, generate, linkedModelsDir, startTestServer, writeColourDataset } from './helpers.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-offload-'));
const datasetsDir = path.join(dataDir, 'datasets');
let resident: RunningServer;
let offloaded: RunningServer;
let residentClient: TryOnClient;
let client: TryOnClient;

beforeAll(async () => {
  await writeColourDataset(path.join(datasetsDir, 'shop'), { red: { r: 220, g: 30, b: 30 }, blue: { r: 30, g: 40, b: 220 } });
  resident = await startTestServer();
  offloaded = await startTestServer({ offloadUnet: 'true', modelsDir: linkedModelsDir(), dataDir, datasetsDir });
  residentClient = connect(resident);
  client = connect(offloaded);
});

afterAll(async () => {
  residentClient?.close();
  client?.close();
  await Promise.all([resident?.stop(0), offloaded?.stop(0)]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const txt2img = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a yellow raincoat', steps: 3, width: 32, height: 32, seed: 5 } as const;
const train: TrainRequest = { dataset_path: 'shop', base_model: 'sd-tiny', mode: 'TRAIN_MODE_LORA', steps: 2, batch_size: 1, resolution: 32, rank: 2, learning_rate: 1e-3, output_name: 'offloaded-lora', seed: 3 };

describe('TRYON_OFFLOAD_UNET', () => {
  it('is read from the environment', () => {
    expect(loadConfig({}, { TRYON_OFFLOAD_UNET: 'true' }).offloadUnet).toBe(true);
    expect(loadConfig({}, {}, ['--offload-unet', '1']).offloadUnet).toBe(true);
    expect(loadConfig({}, {}).offloadUnet).toBe(false);
    expect(() => loadConfig({}, { TRYON_OFFLOAD_UNET: 'maybe' })).toThrow(/offloadUnet/);
  });

  it('generates the same image as resident weights', async () => {
    const [a, b] = await Promise.all([generate(residentClient, txt2img), generate(client, txt2img)]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    const png = (events: typeof a.events) => events.at(-1)!.result!.images_png[0];
    expect(Buffer.compare(png(a.events), png(b.events))).toBe(0);
  });

  it('refuses LoRAs on generations, full fine-tunes and text-encoder LoRAs, and keeps serving', async () => {
    const lora = await generate(client, { ...txt2img, loras: [{ name: 'sd-tiny-kohya', scale: 1 }] });
    expect(lora.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(lora.error?.details).toMatch(/TRYON_OFFLOAD_UNET/);
    for (const bad of [{ mode: 'TRAIN_MODE_FULL' as const }, { train_text_encoder: true }]) {
      const { error } = await collect<TrainEvent__Output>(client.Train({ ...train, ...bad, output_name: 'refused' }));
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.details).toMatch(/trains UNet LoRAs only/);
    }
    expect((await generate(client, txt2img)).events.at(-1)?.event).toBe('result');
  });

  it('trains and publishes a UNet LoRA', async () => {
    const { events, error } = await collect<TrainEvent__Output>(client.Train(train));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.progress).map((e) => e.progress!.step)).toEqual([1, 2]);
    expect(events.at(-1)!.done).toMatchObject({ model_name: 'offloaded-lora', steps: 2 });
  });
});
