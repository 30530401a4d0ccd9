// wasm's Slice (kernels/slice.ts: read in place from the heap) against the cpu backend's, for contiguous and
// strided slices of every rank the engine uses and more, float32, int32 and bool.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';

const CASES: { name: string; shape: number[]; begin: number[]; size: number[]; dtype?: 'int32' | 'bool' }[] = [
  { name: 'one head of attention (contiguous)', shape: [16, 64, 40], begin: [3, 32, 0], size: [1, 32, 40] },
  { name: 'rows of a band (4D, strided)', shape: [2, 9, 7, 5], begin: [0, 2, 1, 0], size: [2, 4, 5, 5] },
  { name: 'channels (innermost, strided)', shape: [3, 6, 10], begin: [1, 0, 4], size: [2, 6, 3] },
  { name: '2D block', shape: [11, 13], begin: [2, 3], size: [5, 7] },
  { name: '1D', shape: [50], begin: [7], size: [20] },
  { name: '5D', shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 1], size: [1, 3, 2, 3, 4] },
  { name: 'size -1 to the end', shape: [4, 5, 6], begin: [1, 2, 3], size: [-1, -1, -1] },
  { name: 'empty', shape: [4, 5], begin: [2, 0], size: [0, 5] },
  { name: 'int32', shape: [6, 7, 3], begin: [1, 2, 0], size: [3, 4, 2], dtype: 'int32' },
  { name: 'bool', shape: [6, 7], begin: [1, 2], size: [3, 4], dtype: 'bool' },
];

function sliced(c: (typeof CASES)[number]): number[] {
  return tf.tidy(() => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    let x: tf.Tensor = tf.reshape(tf.range(0, n, 1, 'float32'), c.shape);
    if (c.dtype === 'int32') x = tf.cast(x, 'int32');
    if (c.dtype === 'bool') x = tf.greater(tf.mod(x, 3), 0);
    return Array.from(tf.slice(x, c.begin, c.size).dataSync());
  });
}

describe('wasm Slice from the heap', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true, logger: { info: () => {}, warn: () => {} } });
  });

  it.each(CASES)('$name matches the cpu backend', async (c) => {
    await tf.setBackend('cpu');
    const expected = sliced(c);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    expect(sliced(c)).toEqual(expected);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never copies its whole input out of the heap (readSync)', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([16, 256, 40]);
    const readSync = vi.spyOn(tf.backend(), 'readSync');
    try {
      tf.slice(x, [3, 0, 0], [1, 128, 40]).dispose();
      tf.slice(x, [3, 0, 8], [2, 128, 16]).dispose();
      expect(readSync).not.toHaveBeenCalled();
    } finally {
      readSync.mockRestore();
      x.dispose();
    }
  });
});
