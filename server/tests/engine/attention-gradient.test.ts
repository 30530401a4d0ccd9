// Chunked attention's memory-efficient gradient (probabilities recomputed in the backward pass) equals the
// gradient of the plain composed ops, with and without an additive mask, across head and row chunks; and the
// backward pass leaves no tensor behind.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingSupport } from '../../src/engine/kernels/index.js';
import { multiHeadAttention } from '../../src/engine/models/layers/attention.js';
import { maxAbsDiff } from './pipelines-helpers.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await registerTrainingSupport();
});

/** softmax(q k^T / sqrt(d) + mask) v per head, in one piece, differentiated by tfjs's own gradients. */
function reference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  const [b, n, inner] = q.shape;
  const m = k.shape[1];
  const d = inner / heads;
  const split = (t: tf.Tensor3D, len: number) => tf.transpose(tf.reshape(t, [b, len, heads, d]), [0, 2, 1, 3]);
  let scores = tf.div(tf.matMul(split(q, n), split(k, m), false, true), Math.sqrt(d));
  if (mask !== undefined) scores = tf.add(scores, mask);
  const out = tf.matMul(tf.softmax(scores), split(v, m));
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, n, inner]) as tf.Tensor3D;
}

describe('multiHeadAttention gradient', () => {
  for (const masked of [false, true]) {
    it(`equals the composed ops' gradient over several chunks${masked ? ' with a causal mask' : ''}`, () => {
      const [b, n, m, heads, d] = [2, 12, masked ? 12 : 7, 3, 4];
      const q = tf.randomNormal([b, n, heads * d], 0, 1, 'float32', 1) as tf.Tensor3D;
      const k = tf.randomNormal([b, m, heads * d], 0, 1, 'float32', 2) as tf.Tensor3D;
      const v = tf.randomNormal([b, m, heads * d], 0, 1, 'float32', 3) as tf.Tensor3D;
      const dy = tf.randomNormal([b, n, heads * d], 0, 1, 'float32', 4);
      const mask = masked ? tf.tidy(() => tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([n, m]), -1, 0), 1), 1e9) as tf.Tensor2D) : undefined;
      const loss = (f: () => tf.Tensor3D) => () => tf.sum(tf.mul(f(), dy)) as tf.Scalar;
      const want = tf.engine().gradients(loss(() => reference(q, k, v, heads, mask)), [q, k, v]);
      const before = tf.memory().numTensors;
      // 20 elements per chunk: one head and a few query rows at a time.
      const got = tf.engine().gradients(loss(() => multiHeadAttention(q, k, v, heads, mask, 20)), [q, k, v]);
      expect(tf.memory().numTensors).toBe(before + 4); // the value and three gradients
      expect(maxAbsDiff(got.value.dataSync(), want.value.dataSync())).toBeLessThan(1e-4);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(got.grads[i].dataSync(), want.grads[i].dataSync())).toBeLessThan(1e-5);
      tf.dispose([q, k, v, dy, ...(mask ? [mask] : []), want.value, ...want.grads, got.value, ...got.grads]);
    });
  }
});
