// AdamW, clipping, schedules, EMA and loss weighting against hand-computed references (plain JS doubles).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../src/training/optim/adamw.js';
import { clipByGlobalNorm } from '../../src/training/optim/clip-grad-norm.js';
import { learningRateAt } from '../../src/training/optim/lr-schedule.js';
import { ExponentialMovingAverage } from '../../src/training/ema.js';
import { debiasedWeights, epsilonLoss, minSnrWeights } from '../../src/training/diffusion-loss.js';
import { TrainRandom } from '../../src/training/train-random.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

/** torch.optim.AdamW on one scalar, in doubles. */
function referenceAdamW(p0: number, grads: number[], lr: number, wd: number): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    p *= 1 - lr * wd;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    p -= (lr / (1 - 0.9 ** t)) * (m / denom);
    out.push(p);
  });
  return out;
}

describe('AdamW', () => {
  it('matches torch.optim.AdamW step by step, and its state restores the run', () => {
    const p = tf.variable(tf.tensor1d([0.5, -1.2, 3]));
    const opt = new AdamW(new Map([['w', p]]), { weightDecay: 1e-2 });
    const gradSeq = [
      [0.1, -2, 0.003],
      [0.2, 1, -0.5],
      [-0.3, 0.7, 0.1],
    ];
    const lr = 1e-2;
    for (const g of gradSeq) {
      const gt = tf.tensor1d(g);
      opt.apply(new Map([['w', gt]]), lr);
      gt.dispose();
    }
    const expected = [0.5, -1.2, 3].map((p0, k) => referenceAdamW(p0, gradSeq.map((g) => g[k]), lr, 1e-2)[2]);
    const got = Array.from(p.dataSync());
    got.forEach((x, k) => expect(x).toBeCloseTo(expected[k], 6));
    expect(opt.step).toBe(3);

    // A fresh optimizer loaded with the state continues identically.
    const q = tf.variable(p.clone());
    const opt2 = new AdamW(new Map([['w', q]]));
    opt2.loadState(opt.state());
    const g4 = tf.tensor1d([0.05, 0.05, 0.05]);
    opt.apply(new Map([['w', g4]]), lr);
    opt2.apply(new Map([['w', g4]]), lr);
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([p, q, g4]);
    opt.dispose();
    opt2.dispose();
  });

  it('leaks no tensors per step', () => {
    const p = tf.variable(tf.ones([4, 4]));
    const opt = new AdamW(new Map([['w', p]]));
    const g = tf.onesLike(p);
    opt.apply(new Map([['w', g]]), 1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply(new Map([['w', g]]), 1e-3);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, g]);
    opt.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm / (norm + 1e-6) when the global norm exceeds it', async () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor2d([[0, 4]])],
    ]);
    const { norm, clipped } = await clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(clipped.get('a')?.dataSync()[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    expect(clipped.get('b')?.dataSync()[1]).toBeCloseTo(4 / (5 + 1e-6), 6);
    const loose = await clipByGlobalNorm(grads, 10);
    expect(loose.clipped.get('a')?.dataSync()[0]).toBe(3);
    tf.dispose([...grads.values(), ...clipped.values(), ...loose.clipped.values()]);
  });
});

describe('learning-rate schedules', () => {
  it('warm up linearly, then follow the schedule', () => {
    const o = { baseLr: 1, warmupSteps: 10, totalSteps: 110 };
    expect(learningRateAt({ ...o, name: 'constant' }, 0)).toBe(1);
    expect(learningRateAt({ ...o, name: 'constant_with_warmup' }, 5)).toBe(0.5);
    expect(learningRateAt({ ...o, name: 'linear' }, 60)).toBeCloseTo(0.5);
    expect(learningRateAt({ ...o, name: 'cosine' }, 60)).toBeCloseTo(0.5);
    expect(learningRateAt({ ...o, name: 'cosine' }, 110)).toBeCloseTo(0);
    expect(() => learningRateAt({ ...o, baseLr: -1 }, 0)).toThrow(/baseLr/);
  });
});

describe('EMA', () => {
  it('moves the shadow weights towards the parameters with the warm-up decay', () => {
    const p = tf.variable(tf.scalar(0));
    const ema = new ExponentialMovingAverage(new Map([['w', p]]), 0.9);
    p.assign(tf.scalar(10));
    ema.update(); // decay min(0.9, 1/10) = 0.1
    expect(ema.weights.get('w')?.dataSync()[0]).toBeCloseTo(9, 5);
    ema.update(); // decay min(0.9, 2/11)
    expect(ema.weights.get('w')?.dataSync()[0]).toBeCloseTo(9 * (2 / 11) + 10 * (9 / 11), 4);
    ema.dispose();
    p.dispose();
  });
});

describe('loss weighting', () => {
  it('min-SNR weights are min(snr, gamma)/snr and weight the per-sample MSE', () => {
    const acp = new Float32Array([0.99, 0.5, 0.01]);
    const w = minSnrWeights(acp, [0, 1, 2], 5);
    expect(w[0]).toBeCloseTo(5 / (0.99 / 0.01), 4);
    expect(w[1]).toBe(1);
    expect(w[2]).toBe(1);
    const d = debiasedWeights(acp, [0, 1, 2]);
    expect(d[0]).toBeCloseTo(1 / Math.sqrt(0.99 / 0.01), 4);
    expect(d[1]).toBeCloseTo(1, 6);
    expect(d[2]).toBeCloseTo(1 / Math.sqrt(0.01 / 0.99), 3);
    const pred = tf.tensor4d([1, 1, 0, 0], [2, 1, 1, 2]);
    const target = tf.zeros([2, 1, 1, 2]);
    expect(epsilonLoss(pred, target).dataSync()[0]).toBeCloseTo(0.5);
    expect(epsilonLoss(pred, target, [0.5, 3]).dataSync()[0]).toBeCloseTo(0.25);
    tf.dispose([pred, target]);
  });

  it('training randomness depends only on (seed, step, purpose)', () => {
    const a = new TrainRandom(42);
    const b = new TrainRandom(42);
    expect(a.uniforms(7, 1, 5)).toEqual(b.uniforms(7, 1, 5));
    expect(a.uniforms(7, 1, 5)).not.toEqual(a.uniforms(8, 1, 5));
    expect(a.permutation(3, 10).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const n1 = a.normals(5, 2, [3]);
    const n2 = b.normals(5, 2, [3]);
    expect(Array.from(n1.dataSync())).toEqual(Array.from(n2.dataSync()));
    tf.dispose([n1, n2]);
  });
});
