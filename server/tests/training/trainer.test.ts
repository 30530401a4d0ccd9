// The Trainer on the sd-tiny models: resume equals an uninterrupted run, events, pause/resume/cancel,
// validation samples, atomic checkpoints, the inpainting UNet, and no tensor leaks.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointName, findLatestCheckpoint, writeCheckpoint } from '../../src/training/checkpoint.js';
import { loadDataset } from '../../src/training/datasets/index.js';
import { parseTrainConfig, type TrainConfigInput } from '../../src/training/train-config.js';
import { Trainer, type TrainProgress } from '../../src/training/trainer.js';
import type { TrainingExample } from '../../src/training/datasets/types.js';
import { writeColourDataset } from './colour-dataset.js';
import { loadTiny, maxDifference, parameterSnapshot, SD_TINY, SD_TINY_INPAINT, setUpWasm } from './helpers.js';

let root: string;
let examples: readonly TrainingExample[];

beforeAll(async () => {
  await setUpWasm();
  root = await mkdtemp(path.join(tmpdir(), 'trainer-'));
  examples = (await loadDataset({ data: await writeColourDataset(path.join(root, 'data'), 64, 2) })).examples;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function train(input: TrainConfigInput, outDir: string, opts: { resumeFrom?: string; model?: string; onTrainer?: (t: Trainer) => void } = {}) {
  const model = await loadTiny(opts.model ?? SD_TINY);
  const trainer = new Trainer({
    model,
    base: { source: opts.model ?? SD_TINY, configDir: opts.model ?? SD_TINY },
    examples,
    config: parseTrainConfig({ resolution: 64, seed: 7, ...input }),
    outDir,
    resumeFrom: opts.resumeFrom,
  });
  opts.onTrainer?.(trainer);
  try {
    const summary = await trainer.run();
    return { summary, weights: parameterSnapshot(model.unet.parameters), model };
  } finally {
    trainer.dispose();
  }
}

describe('Trainer', () => {
  it('resumed from a checkpoint, reaches exactly the weights of an uninterrupted run (full, EMA, accumulation)', async () => {
    const config: TrainConfigInput = { mode: 'full', steps: 4, batchSize: 1, gradientAccumulation: 2, lr: 1e-3, emaDecay: 0.99, checkpointEvery: 2, crop: 'random', flip: true, noiseOffset: 0.1, minSnrGamma: 5 };
    const straight = await train(config, path.join(root, 'straight'));
    straight.model.dispose();
    expect(straight.summary.status).toBe('completed');

    const interruptedDir = path.join(root, 'interrupted');
    const first = await train(config, interruptedDir, { onTrainer: (t) => t.on('progress', (p) => p.step === 2 && t.cancel()) });
    first.model.dispose();
    expect(first.summary).toMatchObject({ status: 'cancelled', steps: 2 });
    const checkpoint = await findLatestCheckpoint(interruptedDir);
    expect(checkpoint).toBe(path.join(interruptedDir, checkpointName(2)));

    const resumed = await train(config, interruptedDir, { resumeFrom: checkpoint });
    resumed.model.dispose();
    expect(resumed.summary).toMatchObject({ status: 'completed', startStep: 2, steps: 2 });
    expect(resumed.summary.losses).toEqual(straight.summary.losses.slice(2));
    expect(maxDifference(resumed.weights, straight.weights)).toBe(0);
    // The run moved the weights at all, and the final export is a diffusers folder the engine loads.
    const base = await loadTiny();
    expect(maxDifference(parameterSnapshot(base.unet.parameters), straight.weights)).toBeGreaterThan(1e-4);
    base.dispose();
    const exported = await loadTiny(straight.summary.output as string);
    exported.dispose();
  });

  it('reports progress, pauses and resumes between steps, streams validation samples', async () => {
    const progress: TrainProgress[] = [];
    const samples: string[] = [];
    let resumedAfterPause = false;
    const { summary, model } = await train(
      { mode: 'lora', steps: 3, validationEvery: 3, validationPrompts: ['a red dress'], validationSteps: 2 },
      path.join(root, 'events'),
      {
        onTrainer: (t) => {
          t.on('sample', (s) => samples.push(s.file));
          t.on('progress', (p) => {
            progress.push(p);
            if (p.step === 1) {
              t.pause();
              expect(t.paused).toBe(true);
              setTimeout(() => {
                // Still at step 1 while paused.
                resumedAfterPause = progress.length === 1;
                t.resume();
              }, 300);
            }
          });
        },
      },
    );
    model.dispose();
    expect(resumedAfterPause).toBe(true);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3]);
    for (const p of progress) {
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.lr).toBe(1e-4);
      expect(p.imagesPerSecond).toBeGreaterThan(0);
      expect(p.totalSteps).toBe(3);
    }
    expect(progress[2].etaSeconds).toBe(0);
    expect(samples).toHaveLength(1);
    expect((await stat(samples[0])).size).toBeGreaterThan(100);
    expect(summary.output?.endsWith('lora.safetensors')).toBe(true);
  });

  it('trains a LoRA on the 9-channel inpainting UNet with random masks', async () => {
    const { summary, model } = await train({ mode: 'inpaint-lora', steps: 2, loraRank: 2 }, path.join(root, 'inpaint'), { model: SD_TINY_INPAINT });
    model.dispose();
    expect(summary.losses.every(Number.isFinite)).toBe(true);
    await expect(train({ mode: 'inpaint-lora', steps: 1 }, path.join(root, 'x'))).rejects.toThrow(/needs an inpainting UNet/);
  });

  it('a checkpoint that fails mid-write leaves the last good one intact and no partial folder', async () => {
    const out = path.join(root, 'atomic');
    const good = await writeCheckpoint(out, 'final', {
      state: { version: 1, step: 1, mode: 'lora', base: 'x', config: {} },
      optimizer: { step: 1, tensors: new Map() },
      writeModel: async () => {},
    });
    await expect(
      writeCheckpoint(out, 'final', {
        state: { version: 1, step: 2, mode: 'lora', base: 'x', config: {} },
        optimizer: { step: 2, tensors: new Map() },
        writeModel: async () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(out)).toEqual(['final']);
    expect((await stat(path.join(good, 'trainer_state.json'))).isFile()).toBe(true);
  });

  it('leaks no tensors across training steps', async () => {
    const model = await loadTiny();
    const trainer = new Trainer({ model, base: { source: SD_TINY, configDir: SD_TINY }, examples, config: parseTrainConfig({ mode: 'lora', steps: 3, resolution: 64 }), outDir: path.join(root, 'leak') });
    const counts: number[] = [];
    trainer.on('progress', () => counts.push(tf.memory().numTensors));
    await trainer.run();
    trainer.dispose();
    model.dispose();
    expect(counts[2]).toBe(counts[1]);
  });
});
