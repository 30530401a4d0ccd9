// txt2img on the shared tiny model: seeds, batches, guidance, callbacks, cancellation and input checks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineInputError } from '../../src/engine/pipelines/errors.js';
import { CancelledError } from '../../src/cancellation.js';
import { encodePrompt } from '../../src/engine/pipelines/prompt.js';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { maxAbsDiff, SD_TINY, useWasm } from './pipelines-helpers.js';

let sd: StableDiffusionModel;
const small = { height: 64, width: 64, numInferenceSteps: 3, scheduler: 'ddim' } as const;

beforeAll(async () => {
  await useWasm();
  sd = await loadStableDiffusion(SD_TINY);
});
afterAll(() => sd?.dispose());

describe('txt2img', () => {
  it('is deterministic per seed and reports the seeds it used', async () => {
    const a = await sd.txt2img({ ...small, prompt: 'a red door', seed: 11 });
    const b = await sd.txt2img({ ...small, prompt: 'a red door', seed: 11 });
    const c = await sd.txt2img({ ...small, prompt: 'a red door', seed: 12 });
    expect(a.seeds).toEqual([11]);
    expect(a.shape).toEqual([1, 64, 64, 3]);
    expect(a.images[0]).toMatchObject({ width: 64, height: 64, seed: 11 });
    expect(a.images[0].data.length).toBe(64 * 64 * 3);
    expect(maxAbsDiff(a.pixels, b.pixels)).toBe(0);
    expect(maxAbsDiff(a.pixels, c.pixels)).toBeGreaterThan(0.01);
    expect(Math.min(...a.pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.pixels)).toBeLessThanOrEqual(1);
  });

  it('gives each image of a batch its own seed, the same image as when made alone', async () => {
    const batch = await sd.txt2img({ ...small, prompt: 'a red door', numImagesPerPrompt: 2, seed: 40 });
    const second = await sd.txt2img({ ...small, prompt: 'a red door', seed: 41 });
    expect(batch.seeds).toEqual([40, 41]);
    const perImage = 64 * 64 * 3;
    expect(maxAbsDiff(batch.pixels.subarray(perImage), second.pixels)).toBeLessThan(1e-4);
    expect(maxAbsDiff(batch.pixels.subarray(0, perImage), second.pixels)).toBeGreaterThan(0.01);
  });

  it('draws random seeds when none is given', async () => {
    const r = await sd.txt2img({ ...small, prompt: 'x', numImagesPerPrompt: 2 });
    expect(r.seeds).toHaveLength(2);
    expect(r.seeds[1]).toBe(r.seeds[0] + 1);
  });

  it('makes a non-square size that is a multiple of 8', async () => {
    const r = await sd.txt2img({ ...small, height: 48, width: 80, prompt: 'wide', seed: 1 });
    expect(r.shape).toEqual([1, 48, 80, 3]);
  });

  it('uses the negative prompt only with guidance on', async () => {
    const base = { ...small, prompt: 'a cat', seed: 5 };
    const guided = await sd.txt2img({ ...base, guidanceScale: 7.5 });
    const guidedNeg = await sd.txt2img({ ...base, guidanceScale: 7.5, negativePrompt: 'blurry' });
    const plain = await sd.txt2img({ ...base, guidanceScale: 1 });
    const plainNeg = await sd.txt2img({ ...base, guidanceScale: 1, negativePrompt: 'blurry' });
    expect(maxAbsDiff(guided.pixels, guidedNeg.pixels)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(plain.pixels, plainNeg.pixels)).toBe(0);
    const embeds = encodePrompt(sd.components, { prompts: ['a', 'b'], guidanceScale: 2, numImagesPerPrompt: 3 });
    expect(embeds.embeds.shape[0]).toBe(12);
    embeds.embeds.dispose();
  });

  it('reports a prompt longer than 77 tokens as truncated', async () => {
    const long = Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ');
    const r = await sd.txt2img({ ...small, prompt: long, negativePrompt: long, seed: 1 });
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/negative prompt 0 is longer than 77 tokens/);
    expect(r.warnings[1]).toMatch(/^prompt 0 is longer than 77 tokens/);
  });

  it('calls back after every step with the latents, and stops when told to', async () => {
    const seen: { step: number; total: number; t: number; shape: number[] }[] = [];
    const before = tf.memory().numTensors;
    await sd.txt2img({
      ...small,
      prompt: 'p',
      seed: 2,
      onStep: ({ step, totalSteps, timestep, latents }) => {
        seen.push({ step, total: totalSteps, t: timestep, shape: latents.shape });
      },
    });
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(seen.every((s) => s.total === 3 && s.shape.join() === '1,8,8,4')).toBe(true);
    expect(seen.map((s) => s.t)).toEqual([667, 334, 1]);

    const cancelled = sd.txt2img({ ...small, prompt: 'p', seed: 2, onStep: ({ step }) => step < 2 });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    await expect(cancelled).rejects.toMatchObject({ reason: 'cancel-requested', at: { completedSteps: 2, totalSteps: 3 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops on an abort signal and frees everything', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    // The signal's own cancellation (the queue's, with its reason) is what the run reports.
    const run = sd.txt2img({ ...small, prompt: 'p', seed: 2, signal: controller.signal, onStep: () => controller.abort(new CancelledError('deadline-exceeded')) });
    await expect(run).rejects.toMatchObject({ name: 'CancelledError', reason: 'deadline-exceeded', at: { completedSteps: 1 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes given initial latents (NHWC) instead of seeded noise', async () => {
    const latents = tf.randomNormal([1, 8, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = await sd.txt2img({ ...small, prompt: 'p', latents, seed: 1 });
    const b = await sd.txt2img({ ...small, prompt: 'p', latents, seed: 2 });
    expect(maxAbsDiff(a.pixels, b.pixels)).toBe(0);
    expect(latents.isDisposed).toBe(false);
    latents.dispose();
  });

  it.each([
    [{ height: 500 }, 'height must be a multiple of 8, got 500'],
    [{ width: 4 }, 'width must be an integer in [8, 2048], got 4'],
    [{ numInferenceSteps: 0 }, 'numInferenceSteps must be an integer in [1, 1000], got 0'],
    [{ numInferenceSteps: 2.5 }, 'numInferenceSteps must be an integer in [1, 1000], got 2.5'],
    [{ guidanceScale: -1 }, 'guidanceScale must be a finite number >= 0, got -1'],
    [{ numImagesPerPrompt: 9 }, 'numImagesPerPrompt must be an integer in [1, 8], got 9'],
    [{ prompt: ['a', 'b', 'c'], numImagesPerPrompt: 3 }, 'at most 8 images per run, got 3 prompts × 3 = 9'],
    [{ prompt: [] }, 'prompt must be a string or a non-empty list of strings, got an empty list'],
    [{ prompt: ['a', 'b'], negativePrompt: ['x'] }, 'negativePrompt has 1 entries but prompt has 2'],
    [{ seed: -3 }, 'seed must be an integer in [0, 9007199254740991], got -3'],
    [{ seed: [1, 2] }, 'seed has 2 entries but the run makes 1 images'],
    [{ scheduler: 'heun' }, 'unknown scheduler "heun"'],
    [{ schedulerConfig: { timestep_spacing: 'sideways' } }, 'timestep_spacing'],
  ])('rejects %o', async (bad, message) => {
    const before = tf.memory().numTensors;
    const run = sd.txt2img({ ...small, prompt: 'p', ...bad });
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toBeInstanceOf(PipelineInputError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects latents of the wrong shape (NCHW) with a PipelineInputError', async () => {
    const latents = tf.zeros([1, 4, 8, 8]) as tf.Tensor4D;
    const run = sd.txt2img({ ...small, prompt: 'p', latents });
    await expect(run).rejects.toThrow('latents must have shape [1, 8, 8, 4] (NHWC), got [1, 4, 8, 8]');
    await expect(run).rejects.toBeInstanceOf(PipelineInputError);
    latents.dispose();
  });
});
