// Training randomness as a pure function of (seed, step, purpose): a resumed run draws exactly what an
// uninterrupted run would have drawn at the same step, without saving any generator state.
import * as tf from '@tensorflow/tfjs-core';
import { NormalStream, philox4x32 } from '../engine/training.js';

const TWO_POW_32 = 2 ** 32;

/** What a draw is for; each purpose has its own stream so adding one never shifts another. */
export const Purpose = {
  noise: 1,
  timesteps: 2,
  vaeSample: 3,
  noiseOffset: 4,
  augment: 5,
  mask: 6,
  shuffle: 7,
  init: 8,
} as const;

export class TrainRandom {
  private readonly key: [number, number];

  constructor(readonly seed: number) {
    this.key = [seed % TWO_POW_32, Math.floor(seed / TWO_POW_32) % TWO_POW_32];
  }

  /** A 52-bit seed for the (step, purpose) stream. */
  private derivedSeed(step: number, purpose: number, index: number): number {
    const w = philox4x32([step % TWO_POW_32, Math.floor(step / TWO_POW_32), purpose, index], this.key);
    return (w[0] % 2 ** 20) * TWO_POW_32 + w[1];
  }

  normals(step: number, purpose: number, shape: number[]): tf.Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(new NormalStream(this.derivedSeed(step, purpose, 0)).next(size), shape, 'float32');
  }

  /** `count` uniforms in [0, 1). */
  uniforms(step: number, purpose: number, count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i += 4) {
      const w = philox4x32([step % TWO_POW_32, Math.floor(step / TWO_POW_32), purpose, i / 4 + 1], this.key);
      for (let j = 0; j < 4 && i + j < count; j++) out.push(w[j] / TWO_POW_32);
    }
    return out;
  }

  integers(step: number, purpose: number, count: number, max: number): number[] {
    return this.uniforms(step, purpose, count).map((u) => Math.min(max - 1, Math.floor(u * max)));
  }

  /** A permutation of 0..n-1 for one epoch (Fisher-Yates). */
  permutation(epoch: number, n: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i);
    const u = this.uniforms(epoch, Purpose.shuffle, n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[i] * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }
}
