// The UNet's timestep embedding: diffusers' get_timestep_embedding (sinusoids) then TimestepEmbedding
// (Linear, SiLU, Linear).
import * as tf from '@tensorflow/tfjs-core';
import { silu } from '../layers/activations.js';
import { Linear } from '../layers/linear.js';
import type { Scope } from '../layers/parameters.js';

const MAX_PERIOD = 10000;

/**
 * Sinusoidal embedding [B, dim] of float timesteps [B]. The frequencies are rounded to float32 step by step
 * as PyTorch computes them in float32, because at t near 1000 a frequency's last bit moves sin(t f) by ~1e-4.
 */
export function timestepEmbedding(
  timesteps: tf.Tensor1D,
  dim: number,
  opts: { flipSinToCos: boolean; freqShift: number },
): tf.Tensor2D {
  const half = Math.floor(dim / 2);
  const logPeriod = Math.fround(-Math.log(MAX_PERIOD));
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    freqs[i] = Math.exp(Math.fround(Math.fround(logPeriod * i) / (half - opts.freqShift)));
  }
  return tf.tidy(() => {
    const args = tf.mul(tf.expandDims(timesteps, 1), tf.tensor2d(freqs, [1, half]));
    const parts = opts.flipSinToCos ? [tf.cos(args), tf.sin(args)] : [tf.sin(args), tf.cos(args)];
    let emb = tf.concat(parts, 1) as tf.Tensor2D;
    if (dim % 2 === 1) emb = tf.pad(emb, [[0, 0], [0, 1]]);
    return emb;
  });
}

/** diffusers' TimestepEmbedding: linear_1, SiLU, linear_2. */
export class TimestepMLP {
  private readonly linear1: Linear;
  private readonly linear2: Linear;

  constructor(scope: Scope, inChannels: number, timeEmbedDim: number) {
    this.linear1 = new Linear(scope.child('linear_1'), inChannels, timeEmbedDim);
    this.linear2 = new Linear(scope.child('linear_2'), timeEmbedDim, timeEmbedDim);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return this.linear2.apply(silu(this.linear1.apply(x)));
  }
}
