// Offloaded UNet weights (host memory, uploaded per layer): the same numbers as resident weights, no tensor
// left behind, and clear errors for what such a model cannot do (train its own weights, merge a LoRA).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { maxAbsDiff as maxAbs, SD_TINY, SD_TINY_FIXTURES, useWasm } from './pipelines-helpers.js';

let resident: StableDiffusionModel;
let offloaded: StableDiffusionModel;

beforeAll(async () => {
  await useWasm();
  resident = await loadStableDiffusion(SD_TINY);
  offloaded = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: true });
});
afterAll(() => {
  resident?.dispose();
  offloaded?.dispose();
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
    tf.dispose([x, t, states, a, b]);
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
    const fromFile = await loadStableDiffusion(`${SD_TINY_FIXTURES}/single-file/sd-tiny.safetensors`, { configDir: SD_TINY, offloadUNetWeights: true });
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
