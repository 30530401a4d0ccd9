// Helpers the case handlers share: reading refs, comparing tensors in the fixtures' layout.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { compareArrays, compareShapes, type Check } from '../compare.js';
import { tensorRefSchema, type TensorRef, type Tolerance } from '../manifest.js';
import type { TensorStore } from '../tensor-store.js';

export const ref = tensorRefSchema;
export const refList = z.array(tensorRefSchema);

/** Values of an engine tensor, NHWC turned to the fixtures' NCHW when `nchw` is set. */
export async function valuesOf(t: tf.Tensor, nchw: boolean): Promise<Float32Array | Int32Array> {
  if (!nchw) return (await t.data()) as Float32Array | Int32Array;
  const transposed = tf.transpose(t, [0, 3, 1, 2]);
  try {
    return (await transposed.data()) as Float32Array;
  } finally {
    transposed.dispose();
  }
}

export function shapeOf(t: tf.Tensor, nchw: boolean): number[] {
  const [b, h, w, c] = t.shape;
  return nchw ? [b, c, h, w] : [...t.shape];
}

/** Compares an engine tensor with a stored reference (shape first, then values). */
export async function checkTensor(
  tensors: TensorStore,
  name: string,
  actual: tf.Tensor,
  expected: TensorRef,
  tolerance: Tolerance,
  layout: 'nchw' | 'as-is',
): Promise<Check> {
  const nchw = layout === 'nchw';
  const shapeCheck = compareShapes(name, shapeOf(actual, nchw), expected.shape, tolerance);
  if (shapeCheck) return shapeCheck;
  return compareArrays(name, await valuesOf(actual, nchw), await tensors.values(expected), tolerance);
}

export function checkNumbers(name: string, actual: readonly number[], expected: readonly number[], tolerance: Tolerance): Check {
  return compareArrays(name, actual, expected, tolerance);
}
