// IP-Adapter in use (the fixtures' numbers are the conformance runner's): loading from a folder laid out like
// h94/IP-Adapter, refusing files that do not fit, detaching bit-exactly, no leaks, and working beside LoRAs,
// offloaded weights and batches.
import { mkdtemp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPAdapter, IPAdapterError } from '../../src/engine/models/ip-adapter/ip-adapter.js';
import type { ImagePromptTokens } from '../../src/engine/models/ip-adapter/image-prompt.js';
import { loadSafetensors } from '../../src/engine/safetensors/reader.js';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { loadImagePromptModel, type ImagePromptModel } from '../../src/worker/runners/image-prompt-models.js';
import { SD_TINY, SD_TINY_FIXTURES, useWasm } from './pipelines-helpers.js';

const ext = path.join(SD_TINY_FIXTURES, '../sd-tiny-ext');
const plusFile = path.join(ext, 'ip-adapter/models/ip-adapter-plus_sd15-tiny.safetensors');
let repo: string;
let sd: StableDiffusionModel;
let ip: ImagePromptModel;
let tokens: ImagePromptTokens;

/** A folder like h94/IP-Adapter: models/ip-adapter-plus_sd15.safetensors and models/image_encoder/. */
async function layOutLikeTheRepository(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ip-adapter-repo-'));
  await mkdir(path.join(dir, 'models'));
  await symlink(plusFile, path.join(dir, 'models/ip-adapter-plus_sd15.safetensors'));
  await symlink(path.join(ext, 'ip-adapter/models/image_encoder'), path.join(dir, 'models/image_encoder'));
  return dir;
}

const run = (extra: object = {}) => sd.txt2img({ prompt: 'a striped shirt', width: 64, height: 64, numInferenceSteps: 3, guidanceScale: 5, seed: 4, ...extra });

beforeAll(async () => {
  await useWasm();
  repo = await layOutLikeTheRepository();
  ip = await loadImagePromptModel(repo);
  tokens = await ip.tokens(await readFile(path.join(ext, 'images/ip_garment.png')));
  sd = await loadStableDiffusion(SD_TINY);
});

afterAll(async () => {
  tf.dispose(tokens);
  ip?.dispose();
  sd?.dispose();
  await rm(repo, { recursive: true, force: true });
});

describe('IP-Adapter', () => {
  it('loads from a folder laid out like h94/IP-Adapter: the plus adapter with its image encoder', () => {
    expect(ip.adapter.kind).toBe('plus');
    expect(tokens.cond.shape).toEqual([1, 16, 32]);
    expect(ip.processor.crop_size).toEqual({ height: 32, width: 32 });
  });

  it('changes the image while attached, and a run after detaching is bit-identical to one that never had it', async () => {
    const before = await run();
    const attached = ip.adapter.attach(sd.unet);
    const prompted = await run({ imagePrompt: { tokens, scale: 1 } });
    attached.detach();
    const after = await run();
    expect(Buffer.compare(Buffer.from(prompted.images[0].data), Buffer.from(before.images[0].data))).not.toBe(0);
    expect(after.pixels).toEqual(before.pixels);
  });

  it('leaves the tensor count flat over repeated image-prompted runs, batches included', async () => {
    const attached = ip.adapter.attach(sd.unet);
    try {
      await run({ imagePrompt: { tokens, scale: 0.7 } });
      const count = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const result = await run({ imagePrompt: { tokens, scale: 0.7 }, numImagesPerPrompt: 2, seed: 10 + i });
        expect(result.images).toHaveLength(2);
      }
      expect(tf.memory().numTensors).toBe(count);
    } finally {
      attached.detach();
    }
  });

  it('works beside a LoRA and on offloaded UNet weights (same image as resident)', async () => {
    const lora = await sd.applyLora(path.join(ext, 'lora/sd-tiny-diffusers-lora.safetensors'), 0.8);
    const attached = ip.adapter.attach(sd.unet);
    const withLora = await run({ imagePrompt: { tokens, scale: 1 } });
    attached.detach();
    lora.remove();
    expect(withLora.images).toHaveLength(1);

    const offloaded = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: true, unetResidentBytes: 0 });
    try {
      const resident = ip.adapter.attach(sd.unet);
      const a = await run({ imagePrompt: { tokens, scale: 1 } });
      resident.detach();
      const onHost = ip.adapter.attach(offloaded.unet);
      const b = await offloaded.txt2img({ prompt: 'a striped shirt', width: 64, height: 64, numInferenceSteps: 3, guidanceScale: 5, seed: 4, imagePrompt: { tokens, scale: 1 } });
      onHost.detach();
      expect(b.pixels).toEqual(a.pixels);
    } finally {
      offloaded.dispose();
    }
  });

  it('refuses files that do not fit: too few layers, a foreign key, a second attach', async () => {
    const weights = await loadSafetensors(plusFile);
    for (const key of [...weights.keys()].filter((k) => k.startsWith('ip_adapter.31.'))) {
      weights.get(key)!.dispose();
      weights.delete(key);
    }
    const short = IPAdapter.fromWeights('short.safetensors', weights);
    expect(() => short.attach(sd.unet)).toThrow(/short\.safetensors: has 15 cross-attention layers, the UNet 16/);
    short.dispose();

    const foreign = await loadSafetensors(plusFile);
    foreign.set('text_encoder.something.weight', tf.zeros([2, 2]));
    expect(() => IPAdapter.fromWeights('foreign.safetensors', foreign)).toThrow(IPAdapterError);

    const attached = ip.adapter.attach(sd.unet);
    expect(() => ip.adapter.attach(sd.unet)).toThrow(/already attached/);
    attached.detach();
  });
});
