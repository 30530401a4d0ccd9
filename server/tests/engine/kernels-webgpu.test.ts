// The engine's replacements for tfjs-backend-webgpu 4.22 kernels that return wrong numbers silently: each gives
// what the cpu backend gives, on inputs that live on the device (what the bugs need to show).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { isOnDevice } from '../../src/engine/webgpu/webgpu-backend.js';

const quiet = { logger: { info: () => {}, warn: () => {} } };

/** `op`'s values on the cpu backend and on webgpu (each run from scratch: tensors do not move off webgpu). */
async function onBothBackends(op: () => tf.Tensor): Promise<{ cpu: number[]; webgpu: number[]; shape: number[]; onDevice: boolean }> {
  const run = async () => {
    const t = tf.tidy(op);
    try {
      return { values: Array.from(await t.data()), shape: t.shape, onDevice: isOnDevice(t) };
    } finally {
      t.dispose();
    }
  };
  await initBackend('cpu', { strict: true, ...quiet });
  const cpu = await run();
  await initBackend('webgpu', { strict: true, ...quiet });
  const before = tf.memory().numTensors;
  const webgpu = await run();
  expect(tf.memory().numTensors).toBe(before);
  expect(webgpu.shape).toEqual(cpu.shape);
  return { cpu: cpu.values, webgpu: webgpu.values, shape: webgpu.shape, onDevice: webgpu.onDevice };
}

/** 4096 ints computed on the device (tfjs keeps inputs under 1000 elements on the CPU). */
const deviceInts = () => tf.add(tf.reshape(tf.range(0, 4096, 1, 'int32'), [8, 16, 32]), tf.scalar(7, 'int32'));

describe('webgpu kernel work-arounds against the cpu backend', () => {
  it('Cast int32 -> float32 converts the values (a rank-3 transpose of the result compiles and is right)', async () => {
    const r = await onBothBackends(() => tf.transpose(tf.cast(deviceInts(), 'float32'), [2, 0, 1]));
    expect(r.onDevice).toBe(true);
    expect(r.webgpu).toEqual(r.cpu);
  });

  it('Cast bool -> float32 converts the values', async () => {
    const r = await onBothBackends(() => tf.mul(tf.transpose(tf.cast(tf.greater(deviceInts(), 2000), 'float32'), [1, 2, 0]), 3));
    expect(r.onDevice).toBe(true);
    expect(r.webgpu).toEqual(r.cpu);
    expect(r.webgpu.filter((v) => v === 3)).toHaveLength(4096 - 1994);
  });

  it('Cast of a small int32 tensor still on the CPU gives float32 data', async () => {
    await initBackend('webgpu', { strict: true, ...quiet });
    const ints = tf.tensor1d([1, -2, 400], 'int32');
    const floats = tf.cast(ints, 'float32');
    const values = await floats.data();
    expect(values).toBeInstanceOf(Float32Array);
    expect(Array.from(values)).toEqual([1, -2, 400]);
    tf.dispose([ints, floats]);
  });

  it('AddN over 300 tensors (the gradient-norm sum) adds them all', async () => {
    const r = await onBothBackends(() => tf.addN(Array.from({ length: 300 }, (_, i) => tf.add(tf.fill([2048], i * 0.5), tf.range(0, 2048)))));
    expect(r.onDevice).toBe(true);
    expect(r.webgpu).toEqual(r.cpu);
    expect(r.webgpu[1]).toBe(300 + 0.5 * (299 * 300) / 2);
  });

  it('ArgMax returns the first of tied maxima, along the last axis and along another', async () => {
    // CLIP's pooling: the end token (49407) repeats as padding after the prompt; the first one is the answer.
    const ids = () => {
      const rows = Array.from({ length: 16 }, (_, r) => Array.from({ length: 77 }, (_, i) => (i < 3 + r ? 300 + i : 49407)));
      return tf.add(tf.tensor2d(rows, [16, 77], 'int32'), tf.zeros([16, 77], 'int32'));
    };
    const last = await onBothBackends(() => tf.argMax(ids(), -1));
    expect(last.webgpu).toEqual(last.cpu);
    expect(last.webgpu.slice(0, 3)).toEqual([3, 4, 5]);
    const first = await onBothBackends(() => tf.argMax(tf.transpose(tf.cast(ids(), 'float32')), 0));
    expect(first.webgpu).toEqual(first.cpu);
  });
});
