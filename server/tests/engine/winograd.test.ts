// 3x3 convolutions through Winograd's F(2x2, 3x3) (layers/winograd.ts) against the direct convolution of the
// cpu backend, in a Conv2d layer with its bias, under the gradient tape, and in a whole tiny txt2img.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { registerTrainingSupport } from '../../src/engine/kernels/index.js';
import { Conv2d } from '../../src/engine/models/layers/conv2d.js';
import { ParameterRegistry } from '../../src/engine/models/layers/parameters.js';
import { setWinogradPolicy, useWinograd, winogradConv3x3, winogradFilters } from '../../src/engine/models/layers/winograd.js';
import { loadStableDiffusion } from '../../src/engine/stable-diffusion.js';
import { SD_TINY } from './pipelines-helpers.js';

const quiet = { info: () => {}, warn: () => {} };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The direct valid convolution on the cpu backend (tfjs' reference kernels), back on wasm afterwards. */
async function directOnCpu(padded: Float32Array, paddedShape: number[], filter: Float32Array, filterShape: number[]): Promise<Float32Array> {
  await initBackend('cpu', { strict: true, logger: quiet });
  const out = tf.tidy(() => tf.conv2d(tf.tensor4d(padded, paddedShape as [number, number, number, number]), tf.tensor4d(filter, filterShape as [number, number, number, number]), 1, 'valid'));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  await initBackend('wasm', { strict: true, logger: quiet });
  return values;
}

function convLayer(cin: number, cout: number, trainable = false): { conv: Conv2d; registry: ParameterRegistry } {
  const registry = new ParameterRegistry('test');
  const conv = new Conv2d(registry.root().child('conv'), cin, cout, 3);
  registry.bind(
    new Map<string, tf.Tensor>([
      ['conv.weight', tf.randomNormal([cout, cin, 3, 3], 0, 0.2, 'float32', 5)],
      ['conv.bias', tf.randomNormal([cout], 0, 0.2, 'float32', 6)],
    ]),
    { releaseWeights: true, trainable },
  );
  return { conv, registry };
}

beforeAll(async () => {
  await initBackend('wasm', { strict: true, logger: quiet });
});
afterEach(() => setWinogradPolicy('auto'));

describe('Winograd F(2x2, 3x3)', () => {
  it.each([
    [[1, 10, 10, 3], 4],
    [[2, 18, 10, 16], 24],
    [[1, 34, 34, 64], 32],
    // 128 tile rows of 2 x 258 x 64 inputs each: two bands (127 tile rows and 1).
    [[1, 258, 258, 64], 8],
  ] as [[number, number, number, number], number][])('convolves %j to %i channels as the cpu backend direct convolution does', async (paddedShape, cout) => {
    const x = tf.randomNormal(paddedShape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, paddedShape[3], cout], 0, 0.3, 'float32', 2) as tf.Tensor4D;
    const [xs, ws] = [(await x.data()) as Float32Array, (await w.data()) as Float32Array];
    const before = tf.memory().numTensors;
    const u = winogradFilters(w);
    const got = winogradConv3x3(x, u);
    expect(got.shape).toEqual([paddedShape[0], paddedShape[1] - 2, paddedShape[2] - 2, cout]);
    const values = (await got.data()) as Float32Array;
    tf.dispose([got, ...u]);
    expect(tf.memory().numTensors).toBe(before);
    const expected = await directOnCpu(xs, paddedShape, ws, w.shape);
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbsDiff(values, expected)).toBeLessThan(1e-5 * Math.max(1, scale));
    tf.dispose([x, w]);
  });

  it('is taken on wasm for large maps only, and never for odd output sides', () => {
    expect(useWinograd([2, 66, 66, 320], 320)).toBe(true);
    expect(useWinograd([1, 130, 130, 512], 512)).toBe(true);
    expect(useWinograd([2, 10, 10, 32], 32)).toBe(false);
    expect(useWinograd([2, 18, 18, 1280], 1280)).toBe(false);
    expect(useWinograd([1, 66, 66, 4], 512)).toBe(false);
    expect(useWinograd([2, 65, 66, 320], 320)).toBe(false);
    setWinogradPolicy('never');
    expect(useWinograd([2, 66, 66, 320], 320)).toBe(false);
    setWinogradPolicy('always');
    expect(useWinograd([2, 10, 10, 32], 32)).toBe(true);
    expect(useWinograd([2, 11, 10, 32], 32)).toBe(false);
  });

  it('is what a Conv2d layer (padding and bias) computes, leaving no tensor behind', async () => {
    const { conv, registry } = convLayer(8, 12);
    const x = tf.randomNormal([1, 12, 14, 8], 0, 1, 'float32', 7) as tf.Tensor4D;
    setWinogradPolicy('never');
    const direct = conv.apply(x);
    setWinogradPolicy('always');
    const before = tf.memory().numTensors;
    const viaWinograd = conv.apply(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(viaWinograd.shape).toEqual([1, 12, 14, 12]);
    expect(maxAbsDiff(await viaWinograd.data(), await direct.data())).toBeLessThan(1e-5);
    tf.dispose([x, direct, viaWinograd]);
    registry.dispose();
  });

  it('gives the gradients of the direct convolution (trainable weights are transformed under the tape)', async () => {
    await registerTrainingSupport();
    const { conv, registry } = convLayer(6, 10, true);
    const x = tf.randomNormal([2, 8, 8, 6], 0, 1, 'float32', 8) as tf.Tensor4D;
    const grads = (policy: 'always' | 'never') => {
      setWinogradPolicy(policy);
      const { value, grads: g } = tf.variableGrads(() => tf.sum(tf.square(conv.apply(x))));
      value.dispose();
      return g;
    };
    const viaWinograd = grads('always');
    const direct = grads('never');
    for (const [name, g] of Object.entries(direct)) {
      const scale = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]);
      expect(maxAbsDiff(await viaWinograd[name].data(), await g.data())).toBeLessThan(1e-4 * Math.max(1, scale));
    }
    tf.dispose([x, ...Object.values(viaWinograd), ...Object.values(direct)]);
    registry.dispose();
  });

  it('makes the same txt2img image as the direct route, with the tensor count flat over runs', async () => {
    const model = await loadStableDiffusion(SD_TINY);
    try {
      const opts = { prompt: 'a red dress', negativePrompt: 'blurry', height: 64, width: 64, numInferenceSteps: 3, guidanceScale: 5, seed: 11 };
      setWinogradPolicy('never');
      const direct = await model.txt2img(opts);
      setWinogradPolicy('always');
      const first = await model.txt2img(opts);
      const counts = [tf.memory().numTensors];
      const again = await model.txt2img(opts);
      counts.push(tf.memory().numTensors);
      expect(counts[1]).toBe(counts[0]);
      expect(maxAbsDiff(first.pixels, again.pixels)).toBe(0);
      // 8-bit pixels: float32 rounding in a different order moves a value by at most one step.
      expect(maxAbsDiff(first.pixels, direct.pixels)).toBeLessThanOrEqual(1);
    } finally {
      model.dispose();
    }
  });
});
