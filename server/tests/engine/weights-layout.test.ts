import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import {
  computeToTorchLayout,
  isEmbeddingTable,
  paramToComputeLayout,
  torchShapeOf,
  torchToComputeLayout,
} from '../../src/engine/weights/layout.js';

beforeAll(async () => {
  await initBackend('wasm', { strict: true });
});

describe('weight layout', () => {
  it('turns a PyTorch conv kernel into the filter tf.conv2d expects: same output as the reference convolution', () => {
    // A 2-in, 3-out, 3x2 kernel on a 1x4x5x2 NHWC image, compared with a direct evaluation of PyTorch's formula.
    const torchKernel = tf.randomNormal([3, 2, 3, 2], 0, 1, 'float32', 1);
    const image = tf.randomNormal([1, 4, 5, 2], 0, 1, 'float32', 2);
    const filter = torchToComputeLayout(torchKernel);
    expect(filter.shape).toEqual([3, 2, 2, 3]);
    const out = tf.conv2d(image as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid').arraySync() as number[][][][];
    const w = torchKernel.arraySync() as number[][][][];
    const x = image.arraySync() as number[][][][];
    let worst = 0;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++)
        for (let o = 0; o < 3; o++) {
          let sum = 0;
          for (let c = 0; c < 2; c++) for (let u = 0; u < 3; u++) for (let v = 0; v < 2; v++) sum += w[o][c][u][v] * x[0][i + u][j + v][c];
          worst = Math.max(worst, Math.abs(sum - out[0][i][j][o]));
        }
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([torchKernel, image, filter]);
  });

  it('turns a PyTorch linear weight [out, in] into [in, out] so that y = x @ W', () => {
    tf.tidy(() => {
      const torchWeight = tf.tensor2d([[1, 2, 3], [4, 5, 6]]); // out 2, in 3
      const compute = torchToComputeLayout(torchWeight);
      expect(compute.shape).toEqual([3, 2]);
      expect(tf.matMul(tf.tensor2d([[1, 0, -1]]), compute as tf.Tensor2D).arraySync()).toEqual([[-2, -2]]);
    });
  });

  it('is inverted exactly by computeToTorchLayout and leaves other ranks alone', () => {
    const before = tf.memory().numTensors;
    for (const shape of [[4, 3, 3, 3], [5, 7], [9], []]) {
      const t = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const compute = torchToComputeLayout(t);
      const back = computeToTorchLayout(compute);
      expect(back.shape).toEqual(shape);
      expect(torchShapeOf(compute.shape)).toEqual(shape);
      expect(back.dataSync()).toEqual(t.dataSync());
      tf.dispose([t, compute, back]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps embedding tables as stored, by name', () => {
    expect(isEmbeddingTable('text_model.embeddings.token_embedding.weight')).toBe(true);
    expect(isEmbeddingTable('text_model.embeddings.position_embedding.weight')).toBe(true);
    expect(isEmbeddingTable('time_embedding.linear_1.weight')).toBe(false);
    expect(isEmbeddingTable('text_model.encoder.layers.0.mlp.fc1.weight')).toBe(false);
    const table = tf.zeros([77, 32]);
    const kept = paramToComputeLayout('text_model.embeddings.position_embedding.weight', table);
    const linear = paramToComputeLayout('text_model.encoder.layers.0.mlp.fc1.weight', table);
    expect([kept.shape, linear.shape]).toEqual([[77, 32], [32, 77]]);
    tf.dispose([table, kept, linear]);
  });
});
