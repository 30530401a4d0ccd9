// wasm's BatchMatMul (kernels/batch-matmul.ts: batched and transposed products over XNNPACK) against the cpu
// backend's reference kernel, on random inputs of every shape class attention and its gradients use.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';

interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

const CASES: Case[] = [
  { name: 'heads × q·kᵀ (self-attention scores)', a: [16, 64, 40], b: [16, 64, 40], transposeB: true },
  { name: 'heads × q·kᵀ against 77 text tokens', a: [16, 64, 40], b: [16, 77, 40], transposeB: true },
  { name: 'heads × probabilities·v', a: [16, 64, 77], b: [16, 77, 40] },
  { name: 'pᵀ·dy (value gradient)', a: [4, 77, 64], b: [4, 77, 40], transposeA: true },
  { name: 'both transposed', a: [3, 33, 17], b: [3, 21, 33], transposeA: true, transposeB: true },
  { name: 'one shared right-hand side', a: [5, 7, 24], b: [24, 9] },
  { name: 'one shared left-hand side', a: [7, 24], b: [5, 24, 9] },
  { name: 'two batch dimensions', a: [2, 3, 10, 12], b: [2, 3, 12, 6] },
  { name: 'batch 1, b transposed', a: [1, 50, 40], b: [1, 70, 40], transposeB: true },
  { name: 'broadcast batches [2, 1] × [1, 3] (stock kernel)', a: [2, 1, 4, 5], b: [1, 3, 5, 6] },
];

function product(c: Case): Float32Array {
  return tf.tidy(() => {
    const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
    const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
    return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
  });
}

describe('wasm BatchMatMul over XNNPACK', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true, logger: { info: () => {}, warn: () => {} } });
  });

  it.each(CASES)('$name matches the cpu backend', async (c) => {
    await tf.setBackend('cpu');
    const expected = product(c);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = product(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('turns a batched, transposed product into plain products (the stock kernel’s XNNPACK path)', () => {
    // Behaviour, not speed: the product of the stock kernel's only fast path, batch 1 without transposes,
    // must be what runs. Counting BatchMatMul calls shows the transposed product became plain ones.
    const seen: string[] = [];
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    expect(kernel).toBeDefined();
    const original = kernel!.kernelFunc;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      ...kernel!,
      kernelFunc: (args) => {
        const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
        const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
        seen.push(`${a.shape.join('x')}@${b.shape.join('x')}${transposeA ? ' tA' : ''}${transposeB ? ' tB' : ''}`);
        return original(args);
      },
    });
    try {
      tf.tidy(() => tf.matMul(tf.ones([2, 8, 4]), tf.ones([2, 6, 4]), false, true).dataSync());
    } finally {
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(kernel!);
    }
    // The outer call, then one plain product per batch entry.
    expect(seen).toEqual(['2x8x4@2x6x4 tB', '8x4@4x6', '8x4@4x6']);
  });
});
