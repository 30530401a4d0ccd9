// Shared fixtures of the training tests: the sd-tiny models (read-only) and a tiny generated dataset.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadStableDiffusion, type StableDiffusionModel, registerTrainingSupport } from '../../src/engine/training.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');
export const SD_TINY = path.join(FIXTURES, 'models/sd-tiny');
export const SD_TINY_INPAINT = path.join(FIXTURES, 'models/sd-tiny-inpaint');
export const TOKENIZER_DIR = path.join(SD_TINY, 'tokenizer');

export async function setUpWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await registerTrainingSupport();
}

/** A fresh copy (training changes weights in place). */
export function loadTiny(dir = SD_TINY): Promise<StableDiffusionModel> {
  return loadStableDiffusion(dir);
}

export function parameterSnapshot(params: ReadonlyMap<string, tf.Tensor>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of params) out.set(name, t.dataSync() as Float32Array);
  return out;
}

export function maxDifference(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): number {
  let m = 0;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (y === undefined) return Infinity;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  }
  return m;
}
