// TAESD previews and decodes, and the fast preset (LCM + LCM-LoRA), through a real server whose models directory
// holds the tiny TAESD fixture as `taesd` and a random LCM-LoRA (PEFT format, a convolution among its modules).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { GenerateEvent__Output, GenerateRequest } from '@fitting-room/proto';
import { writePeftLora } from '../support/random-lora.js';
import { connect, generate, linkedModelsDir, listModels, SHARED_DIR, startTestServer, TINY_MODELS_DIR } from './helpers.js';

let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  const modelsDir = linkedModelsDir();
  fs.symlinkSync(path.join(SHARED_DIR, 'fixtures/sd-tiny-ext/models/taesd-tiny'), path.join(modelsDir, 'taesd'));
  await writePeftLora(path.join(modelsDir, 'lcm-lora-sdv1-5.safetensors'), {
    weightsFile: path.join(TINY_MODELS_DIR, 'sd-tiny/unet/diffusion_pytorch_model.safetensors'),
    modules: ['down_blocks.0.resnets.0.conv1', 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q', 'up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_v'],
    rank: 4,
    alpha: 4,
    seed: 3,
  });
  server = await startTestServer({ modelsDir });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

const txt2img: GenerateRequest = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a wool coat', width: 128, height: 128, seed: 9 };
const denoising = (events: GenerateEvent__Output[]) => events.filter((e) => e.progress?.stage === 'denoising').map((e) => e.progress!);
const sizeOf = async (jpeg: Buffer) => {
  const meta = await sharp(jpeg).metadata();
  return [meta.format, meta.width, meta.height];
};

describe('TAESD and the fast preset', () => {
  it('lists the TAESD folder and the LCM-LoRA by kind', async () => {
    const byName = Object.fromEntries((await listModels(client)).models.map((m) => [m.name, m.kind]));
    expect(byName).toMatchObject({ taesd: 'MODEL_KIND_TAESD', 'lcm-lora-sdv1-5': 'MODEL_KIND_LORA' });
  });

  it('streams TAESD previews at the working size every preview_every steps: 30 steps, every 4 → 7', async () => {
    const { events, error } = await generate(client, { ...txt2img, steps: 30, scheduler: 'ddim', preview_every: 4 });
    expect(error).toBeUndefined();
    const steps = denoising(events);
    expect(steps).toHaveLength(30);
    const previews = steps.filter((p) => p.preview_jpeg.length > 0);
    expect(previews.map((p) => p.step)).toEqual([4, 8, 12, 16, 20, 24, 28]);
    // A TAESD decode is the image's own size; the latent approximation would be 16x16 (shown at 64x64).
    for (const p of previews) expect(await sizeOf(p.preview_jpeg)).toEqual(['jpeg', 128, 128]);
    expect(events.at(-1)?.result).toMatchObject({ preset: 'standard', decoder: 'vae' });
  });

  it('decodes with TAESD when asked, otherwise with the VAE', async () => {
    const vae = await generate(client, { ...txt2img, steps: 3 });
    const taesd = await generate(client, { ...txt2img, steps: 3, decoder: 'DECODER_TAESD' });
    expect(taesd.events.at(-1)?.result).toMatchObject({ decoder: 'taesd', preset: 'standard' });
    const [a, b] = [vae, taesd].map((r) => r.events.at(-1)!.result!.images_png[0]);
    expect(await sizeOf(b)).toEqual(['png', 128, 128]);
    expect(Buffer.compare(a, b)).not.toBe(0);
  });

  it('QUALITY_FAST runs LCM with the LCM-LoRA in 4 steps, guidance capped at 1.5, decoding with TAESD', async () => {
    const fast = await generate(client, { ...txt2img, quality: 'QUALITY_FAST', guidance_scale: 7.5 });
    expect(fast.error).toBeUndefined();
    expect(denoising(fast.events).map((p) => `${p.step}/${p.total_steps}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(fast.events.at(-1)?.result).toMatchObject({ preset: 'fast', decoder: 'taesd' });
    // The same request by hand: LCM, the LoRA, guidance capped, TAESD: the same image.
    const byHand = await generate(client, { ...txt2img, scheduler: 'lcm', steps: 4, guidance_scale: 1.5, loras: [{ name: 'lcm-lora-sdv1-5', scale: 1 }], decoder: 'DECODER_TAESD' });
    expect(byHand.events.at(-1)!.result!.images_png[0]).toEqual(fast.events.at(-1)!.result!.images_png[0]);
    const withoutLora = await generate(client, { ...txt2img, scheduler: 'lcm', steps: 4, guidance_scale: 1.5, decoder: 'DECODER_TAESD' });
    expect(withoutLora.events.at(-1)!.result!.images_png[0]).not.toEqual(fast.events.at(-1)!.result!.images_png[0]);
    const sixSteps = await generate(client, { ...txt2img, quality: 'QUALITY_FAST', steps: 40 });
    expect(denoising(sixSteps.events).at(-1)?.total_steps).toBe(8);
  });

  it('runs the diffusion try-on in the fast preset', async () => {
    const photos = path.join(SHARED_DIR, 'fixtures/photos');
    const { events, error } = await generate(client, {
      mode: 'MODE_TRY_ON',
      engine: 'diffusion',
      model: 'sd-tiny-inpaint',
      person_image: fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg')),
      garment_image: fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg')),
      category: 'UPPER_BODY',
      height: 128,
      quality: 'QUALITY_FAST',
      preview_every: 2,
    });
    expect(error).toBeUndefined();
    expect(events.at(-1)?.result).toMatchObject({ preset: 'fast', decoder: 'taesd', engine: 'diffusion' });
    expect(events.filter((e) => e.progress?.stage === 'generation' && e.progress.preview_jpeg.length > 0)).toHaveLength(2);
  });

  it('leaves no tensors behind over repeated fast runs', async () => {
    const workerTensors = async (): Promise<number> => (await server.engine.stats(10_000))!.tensors;
    await generate(client, { ...txt2img, quality: 'QUALITY_FAST', preview_every: 1 });
    const before = await workerTensors();
    for (let i = 0; i < 3; i++) {
      const { error } = await generate(client, { ...txt2img, quality: 'QUALITY_FAST', preview_every: 1, seed: 20 + i });
      expect(error).toBeUndefined();
    }
    expect(await workerTensors()).toBe(before);
  });
});
