// GroupNorm (NHWC) and LayerNorm (last axis), both affine, as torch.nn computes them (biased variance).
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';

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
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normalized = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(tf.reshape(normalized, [b, h, w, c]), this.weight.read()), this.bias.read());
    });
  }
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
