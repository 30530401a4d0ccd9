// Test helpers for the model tests: the shared sd-tiny fixtures (manifest cases, tensors, model folders).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, loadSafetensors } from '../../src/engine/safetensors/reader.js';
import type { WeightMap } from '../../src/engine/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');

export interface TensorRef {
  file: string;
  key: string;
  shape: number[];
}

export interface FixtureCase {
  id: string;
  type: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  tolerance: { atol: number; rtol: number };
}

export function casesOfType(type: string): FixtureCase[] {
  // Python's json writes NaN / Infinity (in fields these tests do not read); JSON.parse wants null.
  const text = readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8').replace(
    /([[:,]\s*)-?(?:Infinity|NaN)(?=\s*[,\]}])/g,
    '$1null',
  );
  const manifest = JSON.parse(text) as { cases: FixtureCase[] };
  return manifest.cases.filter((c) => c.type === type);
}

export function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, relative), 'utf8'));
}

export function loadWeights(relative: string): Promise<WeightMap> {
  return loadSafetensors(path.join(FIXTURES, relative));
}

export async function loadTensor(ref: TensorRef): Promise<tf.Tensor> {
  const file = await SafetensorsFile.open(path.join(FIXTURES, ref.file));
  try {
    const { values, shape, dtype } = await file.readDecoded(ref.key);
    return tf.tensor(values, shape, dtype);
  } finally {
    await file.close();
  }
}

/** A stored NCHW tensor as NHWC. */
export async function loadNHWC(ref: TensorRef): Promise<tf.Tensor4D> {
  const nchw = await loadTensor(ref);
  const out = tf.transpose(nchw, [0, 2, 3, 1]) as tf.Tensor4D;
  nchw.dispose();
  return out;
}

/** Compares element-wise with |a - e| <= atol + rtol |e|; returns the max abs error and the violations. */
export function compare(
  actual: tf.Tensor,
  expected: tf.Tensor,
  tol: { atol: number; rtol: number },
): { maxAbsError: number; violations: number } {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`);
  }
  const a = actual.dataSync();
  const e = expected.dataSync();
  let maxAbsError = 0;
  let violations = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= maxAbsError)) maxAbsError = err;
    if (!(err <= tol.atol + tol.rtol * Math.abs(e[i]))) violations++;
  }
  return { maxAbsError, violations };
}
