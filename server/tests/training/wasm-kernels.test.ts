// The wasm training kernels against the cpu backend's reference kernels, on random inputs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingSupport, conv2dBackpropInput } from '../../src/engine/training.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

function rand(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

function filterGrad(x: tf.Tensor, dy: tf.Tensor, filterShape: number[], dataFormat: 'NHWC' | 'NCHW'): tf.Tensor {
  const attrs = { strides: 1, pad: 'same', dataFormat, filterShape } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('wasm training kernels', () => {
  beforeAll(async () => {
    await registerTrainingSupport();
    await tf.setBackend('cpu');
  });

  it('are registered for wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    // wasm's own input gradient is replaced by the convolution-based one (10x faster).
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2dBackpropInput);
  });

  it('conv2d input gradient handles NCHW data format and odd sizes', async () => {
    const dyv = rand([2, 4, 4, 4], 5);
    const w = rand([3, 3, 2, 4], 6);
    const grad = () =>
      tf.tidy(() => {
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 7, 8] } as unknown as tf.NamedAttrMap;
        const dy = tf.transpose(tf.tensor4d(dyv, [2, 4, 4, 4]), [0, 3, 1, 2]);
        const filter = tf.tensor4d(w, [3, 3, 2, 4]);
        return (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor).dataSync() as Float32Array;
      });
    const ref = await onBackend('cpu', grad);
    const got = await onBackend('wasm', grad);
    expect(got.length).toBe(2 * 2 * 7 * 8);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
  });

  const convCases: Array<{ x: number[]; k: number; cout: number; stride: number; pad: Pad }> = [
    { x: [2, 9, 7, 3], k: 3, cout: 5, stride: 1, pad: 'same' },
    { x: [1, 9, 8, 4], k: 3, cout: 2, stride: 2, pad: 'same' },
    { x: [2, 8, 8, 3], k: 3, cout: 4, stride: 2, pad: 'valid' },
    { x: [1, 7, 6, 2], k: 1, cout: 3, stride: 1, pad: 'valid' },
    { x: [1, 8, 8, 3], k: 3, cout: 4, stride: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] },
    { x: [2, 6, 5, 3], k: 5, cout: 2, stride: 1, pad: [[0, 0], [2, 1], [1, 2], [0, 0]] },
  ];
  for (const c of convCases) {
    it(`conv2d filter and input gradients match cpu: x ${c.x} k ${c.k} stride ${c.stride} pad ${JSON.stringify(c.pad)}`, async () => {
      const w = rand([c.k, c.k, c.x[3], c.cout], 2);
      const xv = rand(c.x, 1);
      const grad = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
          const f = tf.tensor4d(w, [c.k, c.k, c.x[3], c.cout]);
          // A non-uniform upstream gradient so every output position is weighted differently.
          const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
            tf.sum(tf.mul(tf.sin(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad)), 1.5)),
          );
          const [dx, df] = g([x, f]);
          return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
        });
      const ref = await onBackend('cpu', grad);
      const got = await onBackend('wasm', grad);
      expect(maxAbsDiff(got.df, ref.df)).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4);
      expect(Math.max(...ref.df.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }

  it('conv2d filter gradient handles NCHW data format', async () => {
    const xv = rand([1, 3, 6, 6], 5);
    const dyv = rand([1, 4, 6, 6], 6);
    const run = () =>
      tf.tidy(
        () =>
          filterGrad(tf.tensor4d(xv, [1, 3, 6, 6]), tf.tensor4d(dyv, [1, 4, 6, 6]), [3, 3, 3, 4], 'NCHW').dataSync() as Float32Array,
      );
    // The cpu kernel is the reference; NCHW there is computed directly.
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
  });

  it('embedding gradient (unsorted segment sum) matches cpu, repeated ids summed', async () => {
    const table = rand([11, 6], 3);
    const ids = [3, 3, 0, 10, 3, 7, 0];
    const grad = () =>
      tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(ids, 'int32')))));
        return g(tf.tensor2d(table, [11, 6])).dataSync() as Float32Array;
      });
    const ref = await onBackend('cpu', grad);
    const got = await onBackend('wasm', grad);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5);
    const direct = () =>
      tf.tidy(() =>
        tf.unsortedSegmentSum(tf.tensor3d(rand([4, 2, 3], 4), [4, 2, 3]), tf.tensor1d([2, 0, 2, 1], 'int32'), 4)
          .dataSync() as Float32Array,
      );
    expect(maxAbsDiff(await onBackend('wasm', direct), await onBackend('cpu', direct))).toBeLessThan(1e-6);
  });

  it('leaks no tensors and leaves its inputs intact', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([1, 8, 8, 3]);
    const dy = tf.randomNormal([1, 8, 8, 4]);
    const xBefore = Array.from(x.dataSync());
    const before = tf.memory().numTensors;
    filterGrad(x, dy, [3, 3, 3, 4], 'NHWC').dispose();
    tf.unsortedSegmentSum(x, tf.tensor1d([0], 'int32'), 2).dispose();
    expect(tf.memory().numTensors).toBe(before + 1); // the tensor1d of ids above is ours
    expect(Array.from(x.dataSync())).toEqual(xBefore);
    tf.dispose([x, dy]);
  });
});
