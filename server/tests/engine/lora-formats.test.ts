// One loader for the three LoRA file formats: kohya, diffusers (the fixture written by diffusers' own
// save_lora_weights) and PEFT (made here, with a convolution as LCM-LoRA has); the same update applies identically
// whatever the format, and comes off bit-exactly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { loadLora } from '../../src/engine/weights/lora.js';
import { writeKohyaLora, writePeftLora } from '../support/random-lora.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.SHARED_DIR ?? resolve(repoRoot, '../shared');
const sdTiny = join(shared, 'fixtures/sd-tiny/models/sd-tiny');
const unetWeights = join(sdTiny, 'unet/diffusion_pytorch_model.safetensors');
const CONV = 'down_blocks.0.resnets.0.conv1';
const LINEAR = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q';
const loraOptions = { weightsFile: unetWeights, modules: [CONV, LINEAR], rank: 4, alpha: 8, seed: 7 };

let dir: string;
let sd: StableDiffusionModel;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'lora-formats-'));
  await writePeftLora(join(dir, 'peft.safetensors'), loraOptions);
  await writeKohyaLora(join(dir, 'kohya.safetensors'), loraOptions);
  sd = await loadStableDiffusion(sdTiny);
});

afterAll(async () => {
  sd?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const values = (name: string): Float32Array => sd.unet.parameters.get(name)!.dataSync() as Float32Array;

describe('LoRA file formats', () => {
  it('detects kohya, diffusers and PEFT files and reads alpha from each', async () => {
    const kohya = await loadLora(join(dir, 'kohya.safetensors'));
    const peft = await loadLora(join(dir, 'peft.safetensors'));
    const diffusers = await loadLora(join(shared, 'fixtures/sd-tiny-ext/lora/sd-tiny-diffusers-lora.safetensors'));
    try {
      expect([kohya.format, peft.format, diffusers.format]).toEqual(['kohya', 'peft', 'diffusers']);
      expect([...peft.modules.keys()].sort()).toEqual([...kohya.modules.keys()].sort());
      for (const m of peft.modules.values()) expect([m.rank, m.alpha]).toEqual([4, 8]);
      expect(peft.modules.get('lora_unet_down_blocks_0_resnets_0_conv1')!.down.shape).toEqual([4, 16, 3, 3]);
      // diffusers' file: no alpha stored, so alpha = rank; both models targeted.
      expect(new Set([...diffusers.modules.values()].map((m) => m.target))).toEqual(new Set(['unet', 'text_encoder']));
      for (const m of diffusers.modules.values()) expect(m.alpha).toBe(m.rank);
    } finally {
      [kohya, peft, diffusers].forEach((l) => l.dispose());
    }
  });

  it('applies a PEFT LoRA with a convolution exactly as the same kohya LoRA, and removes it bit-exactly', async () => {
    const before = { conv: values(`${CONV}.weight`), linear: values(`${LINEAR}.weight`) };
    const tensorsBefore = tf.memory().numTensors;

    const peft = await sd.applyLora(join(dir, 'peft.safetensors'), 0.7);
    const withPeft = { conv: values(`${CONV}.weight`), linear: values(`${LINEAR}.weight`) };
    peft.remove();
    expect(values(`${CONV}.weight`)).toEqual(before.conv);
    expect(values(`${LINEAR}.weight`)).toEqual(before.linear);

    const kohya = await sd.applyLora(join(dir, 'kohya.safetensors'), 0.7);
    expect(values(`${CONV}.weight`)).toEqual(withPeft.conv);
    expect(values(`${LINEAR}.weight`)).toEqual(withPeft.linear);
    kohya.remove();

    expect(withPeft.conv).not.toEqual(before.conv);
    expect(values(`${CONV}.weight`)).toEqual(before.conv);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
