// Seeded noise (Philox4x32-10 + Box-Muller), recorded-draw replay, the latent preview, and the random model writer.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latentPreviews } from '../../src/engine/pipelines/decode.js';
import { NormalStream, perImageNoise, philox4x32, replayNoise, seededNoise } from '../../src/engine/random.js';
import { writeRandomModel } from '../../src/engine/random-model.js';
import { loadStableDiffusion } from '../../src/engine/stable-diffusion.js';
import { SD_TINY, useWasm } from './pipelines-helpers.js';

beforeAll(useWasm);

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const hex = (words: Uint32Array) => Array.from(words, (w) => w.toString(16).padStart(8, '0'));
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const ones = 0xffffffff;
    expect(hex(philox4x32([ones, ones, ones, ones], [ones, ones]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual([
      'd16cfe09',
      '94fdcceb',
      '5001e420',
      '24126ea1',
    ]);
  });
});

describe('seeded normals', () => {
  it('are standard normal and depend only on (seed, position)', () => {
    const values = new NormalStream(42).next(200_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    const within1 = values.filter((v) => Math.abs(v) < 1).length / values.length;
    expect(within1).toBeCloseTo(0.6827, 2);
    const split = new NormalStream(42);
    const parts = [...split.next(7), ...split.next(13)];
    expect(parts).toEqual(Array.from(values.subarray(0, 20)));
    expect(new NormalStream(43).next(4)).not.toEqual(values.subarray(0, 4));
    expect(() => new NormalStream(-1)).toThrow('seed must be an integer in [0, 9007199254740991], got -1');
  });

  it('give each image of a batch its own stream', () => {
    const batch = perImageNoise([5, 6])([2, 3, 4]);
    const alone = seededNoise(6)([1, 3, 4]);
    expect(Array.from(batch.dataSync().subarray(12))).toEqual(Array.from(alone.dataSync()));
    expect(() => perImageNoise([5, 6])([3, 1])).toThrow('noise for 2 seeded images asked for batch 3');
    tf.dispose([batch, alone]);
  });

  it('replay recorded draws in order and check their shapes', () => {
    const draws = [tf.ones([1, 2]), tf.zeros([1, 3])];
    const noise = replayNoise(draws);
    const first = noise([1, 2]);
    expect(Array.from(first.dataSync())).toEqual([1, 1]);
    expect(noise.remaining).toBe(1);
    expect(() => noise([1, 2])).toThrow('recorded draw 1 has shape [1, 3], the run asked for [1, 2]');
    expect(() => noise([1, 3])).toThrow('noise replay ran out');
    tf.dispose([...draws, first]);
  });
});

describe('latentPreviews', () => {
  it('maps latents to bytes at latent resolution without leaking', async () => {
    const latents = tf.zeros([2, 8, 6, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const previews = await latentPreviews(latents);
    expect(tf.memory().numTensors).toBe(before);
    expect(previews).toHaveLength(2);
    expect(previews[0]).toMatchObject({ width: 6, height: 8 });
    expect(previews[0].data.length).toBe(8 * 6 * 3);
    // Zero latents sit in the middle of the range.
    expect(previews[0].data[0]).toBe(128);
    latents.dispose();
  });
});

describe('writeRandomModel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'random-model-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes a diffusers folder that loads and generates, the same for the same seed', async () => {
    const tokenizerDir = path.join(SD_TINY, 'tokenizer');
    await writeRandomModel(path.join(dir, 'a'), { seed: 9, tokenizerDir, sizes: { unet: { block_out_channels: [16, 16, 32, 32] } } });
    await writeRandomModel(path.join(dir, 'b'), { seed: 9, tokenizerDir, sizes: { unet: { block_out_channels: [16, 16, 32, 32] } } });
    expect((await readdir(path.join(dir, 'a'))).sort()).toEqual(['model_index.json', 'scheduler', 'text_encoder', 'tokenizer', 'unet', 'vae']);
    const a = await loadStableDiffusion(path.join(dir, 'a'));
    const b = await loadStableDiffusion(path.join(dir, 'b'));
    try {
      expect(a.unet.config.blockOutChannels).toEqual([16, 16, 32, 32]);
      const opts = { prompt: 'a hat', height: 32, width: 32, numInferenceSteps: 2, seed: 1 };
      const ra = await a.txt2img(opts);
      const rb = await b.txt2img(opts);
      expect(ra.shape).toEqual([1, 32, 32, 3]);
      expect(Array.from(ra.pixels)).toEqual(Array.from(rb.pixels));
      // Random weights still give a varied image, not a flat or saturated one.
      const mean = ra.pixels.reduce((s, v) => s + v, 0) / ra.pixels.length;
      const std = Math.sqrt(ra.pixels.reduce((s, v) => s + (v - mean) ** 2, 0) / ra.pixels.length);
      expect(std).toBeGreaterThan(0.02);
      expect(ra.pixels.filter((v) => v === 0 || v === 1).length / ra.pixels.length).toBeLessThan(0.2);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('rejects a bad size before writing anything', async () => {
    const target = path.join(dir, 'bad');
    await expect(
      writeRandomModel(target, { seed: 1, tokenizerDir: path.join(SD_TINY, 'tokenizer'), sizes: { unet: { block_out_channels: [0] } } }),
    ).rejects.toThrow(/block_out_channels/);
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
  });
});
