// Offloaded UNet weights (host memory, uploaded per layer): the same numbers as resident weights, no tensor
// left behind, and clear errors for what such a model cannot do (train its own weights, merge a LoRA).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { maxAbsDiff as maxAbs, SD_TINY, SD_TINY_FIXTURES, useWasm } from './pipelines-helpers.js';

let resident: StableDiffusionModel;
let offloaded: StableDiffusionModel;
let partly: StableDiffusionModel;
/** Half the tiny UNet's weight bytes: some weights resident (each counting twice, with its packed copy), the rest offloaded. */
let partBudget: number;

beforeAll(async () => {
  await useWasm();
  resident = await loadStableDiffusion(SD_TINY);
  offloaded = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: true, unetResidentBytes: 0 });
  partBudget = [...resident.unet.parameters.values()].reduce((sum, v) => sum + 4 * v.size, 0) / 2;
  partly = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: true, unetResidentBytes: partBudget });
});
afterAll(() => {
  resident?.dispose();
  offloaded?.dispose();
  partly?.dispose();
});

describe('offloaded UNet weights', () => {
  it('holds no UNet variables in backend memory', () => {
    expect(offloaded.unet.offloadsWeights).toBe(true);
    expect(resident.unet.offloadsWeights).toBe(false);
    expect(offloaded.unet.parameterSpecs.size).toBe(resident.unet.parameterSpecs.size);
    // The resident model's tensors include every UNet parameter; the offloaded one's do not.
    const unetCount = resident.unet.parameters.size;
    expect(unetCount).toBeGreaterThan(100);
    expect(() => offloaded.unet.parameters).toThrow(/host memory \(offloadWeights\)/);
    expect(offloaded.unet.residentWeights).toEqual({ count: 0, bytes: 0 });
  });

  it('keeps the largest weights resident within the budget, counting their packed copies', () => {
    const sizes = [...resident.unet.parameters.values()].map((v) => 4 * v.size).sort((a, b) => b - a);
    const kept = partly.unet.residentWeights;
    expect(kept.count).toBeGreaterThan(0);
    expect(kept.count).toBeLessThan(sizes.length);
    expect(kept.bytes).toBeGreaterThanOrEqual(sizes[0]);
    // Matmul/conv weights cost twice their bytes (norms and biases once), and the greedy fill leaves at most a
    // bias's worth of the budget unused: what is kept lies between half the budget and the budget.
    expect(kept.bytes).toBeLessThanOrEqual(partBudget);
    expect(kept.bytes).toBeGreaterThanOrEqual(0.45 * partBudget);
  });

  it('predicts exactly what the resident UNet predicts, and frees every upload', () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const t = tf.tensor1d([999, 10]);
    const states = tf.randomNormal([2, 77, 32], 0, 1, 'float32', 4) as tf.Tensor3D;
    const a = resident.unet.forward(x, t, states);
    const before = tf.memory().numTensors;
    const b = offloaded.unet.forward(x, t, states);
    // Only the output is new: the uploaded weights were disposed by the layers' tidies.
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(maxAbs(a.dataSync(), b.dataSync())).toBe(0);
    // Partly resident: the same numbers, and still only the output is new.
    const beforePart = tf.memory().numTensors;
    const c = partly.unet.forward(x, t, states);
    expect(tf.memory().numTensors).toBe(beforePart + 1);
    expect(maxAbs(a.dataSync(), c.dataSync())).toBe(0);
    tf.dispose([x, t, states, a, b, c]);
  });

  it('generates the same image and keeps numTensors flat over runs', async () => {
    const opts = { prompt: 'a red dress', negativePrompt: 'blurry', height: 64, width: 64, numInferenceSteps: 3, guidanceScale: 5, seed: 11 };
    const want = await resident.txt2img(opts);
    const counts = [tf.memory().numTensors];
    let got = await offloaded.txt2img(opts);
    counts.push(tf.memory().numTensors);
    got = await offloaded.txt2img(opts);
    counts.push(tf.memory().numTensors);
    expect(new Set(counts).size).toBe(1);
    expect(maxAbs(want.pixels, got.pixels)).toBe(0);
  });

  it('loads a single-file checkpoint with its UNet kept in host memory until bound', async () => {
    const before = tf.memory().numTensors;
    const fromFile = await loadStableDiffusion(`${SD_TINY_FIXTURES}/single-file/sd-tiny.safetensors`, { configDir: SD_TINY, offloadUNetWeights: true, unetResidentBytes: 0 });
    try {
      // Text encoder and VAE variables only: no UNet weight (and no stray upload) stayed in backend memory.
      expect(tf.memory().numTensors - before).toBe(fromFile.textEncoder.parameters.size + fromFile.vae.parameters.size);
      const opts = { prompt: 'a blue coat', height: 32, width: 32, numInferenceSteps: 2, seed: 4 };
      expect(maxAbs((await resident.txt2img(opts)).pixels, (await fromFile.txt2img(opts)).pixels)).toBe(0);
    } finally {
      fromFile.dispose();
    }
  });

  it('refuses to apply a LoRA with a clear error and keeps working', async () => {
    await expect(offloaded.applyLora(`${SD_TINY_FIXTURES}/lora/sd-tiny-kohya.safetensors`, 1)).rejects.toThrow(/host memory/);
    const r = await offloaded.txt2img({ prompt: 'a', height: 32, width: 32, numInferenceSteps: 2, seed: 1 });
    expect(r.pixels.length).toBe(32 * 32 * 3);
  });
});
