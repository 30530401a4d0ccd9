// Shared setup of the pipeline tests: the wasm backend and the shared sd-tiny model folders.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SD_TINY_FIXTURES = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');
export const SD_TINY = path.join(SD_TINY_FIXTURES, 'models/sd-tiny');
export const SD_TINY_INPAINT = path.join(SD_TINY_FIXTURES, 'models/sd-tiny-inpaint');

export async function useWasm(): Promise<void> {
  await initBackend('wasm', { strict: true, logger: { info: () => {}, warn: () => {} } });
}

/** A smooth test image NHWC [1, h, w, 3] in [0, 1] (no photo needed). */
export function gradientImage(height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.reshape(tf.div(tf.range(0, height), height), [1, height, 1, 1]);
    const x = tf.reshape(tf.div(tf.range(0, width), width), [1, 1, width, 1]);
    const zeros = tf.zeros([1, height, width, 1]);
    return tf.concat([tf.add(zeros, y), tf.add(zeros, x), tf.add(zeros, tf.mul(tf.add(x, y), 0.5))], 3) as tf.Tensor4D;
  });
}

/** A mask NHWC [1, h, w, 1]: 1 inside the centre square (repaint), 0 outside. */
export function centreMask(height: number, width: number): tf.Tensor4D {
  const values = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const inside = i >= height / 4 && i < (3 * height) / 4 && j >= width / 4 && j < (3 * width) / 4;
      values[i * width + j] = inside ? 1 : 0;
    }
  }
  return tf.tensor4d(values, [1, height, width, 1]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
