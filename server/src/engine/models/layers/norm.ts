// GroupNorm (NHWC) and LayerNorm (last axis), both affine, as torch.nn computes them (biased variance).
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';
import { bandsHeight, mapBands, type RowBands } from './row-bands.js';

export class GroupNorm {
  private readonly weight: Param;
  private readonly bias: Param;

  constructor(
    scope: Scope,
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps: number,
  ) {
    if (numChannels % numGroups !== 0) {
      throw new Error(`${scope.prefix}: ${numChannels} channels cannot be split into ${numGroups} groups`);
    }
    this.weight = scope.param('weight', [numChannels], 'plain');
    this.bias = scope.param('bias', [numChannels], 'plain');
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    // Own tidy: the full-size temporaries are freed at once, only the output outlives the call.
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const grouped = tf.reshape(x, [b, h * w, this.numGroups, c / this.numGroups]);
      const mean = groupSum(grouped, h * w * (c / this.numGroups));
      // Not tf.squaredDifference: its gradient does not sum over broadcast axes (tfjs 4.22), and training needs it.
      const variance = groupSum(tf.square(tf.sub(grouped, mean)), h * w * (c / this.numGroups));
      const { scale, shift } = this.affine(mean, variance);
      // Normalization and the affine folded into one scale and shift per (entry, channel): two passes over the
      // activation instead of four (on wasm at 512x512 a pass over one is tens of milliseconds).
      return tf.reshape(tf.add(tf.mul(grouped, scale), shift), [b, h, w, c]);
    });
  }

  /** weight · (x - mean) / sqrt(variance + eps) + bias as x · scale + shift; statistics [B, 1, groups, 1]. */
  private affine(mean: tf.Tensor, variance: tf.Tensor): { scale: tf.Tensor; shift: tf.Tensor } {
    const g = this.numGroups;
    const perGroup = [1, 1, g, this.numChannels / g];
    const scale = tf.mul(tf.rsqrt(tf.add(variance, this.eps)), tf.reshape(this.weight.read(), perGroup));
    return { scale, shift: tf.sub(tf.reshape(this.bias.read(), perGroup), tf.mul(mean, scale)) };
  }

  /** The same over row bands: mean, then variance, summed over every band before any band is normalized. */
  applyBands(bands: RowBands): RowBands {
    const [b, , w, c] = bands[0].shape;
    const g = this.numGroups;
    const count = bandsHeight(bands) * w * (c / g);
    const grouped = (band: tf.Tensor4D) => tf.reshape(band, [b, band.shape[1] * w, g, c / g]);
    const total = (f: (band: tf.Tensor4D) => tf.Tensor) => tf.tidy(() => tf.addN(bands.map((band) => groupSum(f(band), count))));
    const mean = total(grouped);
    const variance = total((band) => tf.square(tf.sub(grouped(band), mean)));
    const { scale, shift } = tf.tidy(() => this.affine(mean, variance));
    try {
      return mapBands(bands, (band) => tf.reshape(tf.add(tf.mul(grouped(band), scale), shift), band.shape));
    } finally {
      tf.dispose([mean, variance, scale, shift]);
    }
  }
}

/**
 * Sum of x [B, N, groups, per group] over N and the group's channels, divided by `count`: [B, 1, groups, 1].
 * The channels (innermost) first, then N on a tensor `per group` times smaller: reducing both axes at once
 * makes tfjs transpose the whole activation first (on wasm, most of GroupNorm's time at 512x512).
 */
function groupSum(x: tf.Tensor, count: number): tf.Tensor {
  return tf.div(tf.sum(tf.sum(x, 3, true), 1, true), count);
}

export class LayerNorm {
  private readonly weight: Param;
  private readonly bias: Param;

  constructor(
    scope: Scope,
    readonly normalizedShape: number,
    readonly eps: number,
  ) {
    this.weight = scope.param('weight', [normalizedShape], 'plain');
    this.bias = scope.param('bias', [normalizedShape], 'plain');
  }

  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normalized, this.weight.read()), this.bias.read());
    });
  }
}
