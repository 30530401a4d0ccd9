// nn.Linear on the last axis of a tensor of any rank; weight kept as [in, out].
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';

export class Linear {
  private readonly weight: Param;
  private readonly bias: Param | undefined;

  constructor(
    scope: Scope,
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    this.weight = scope.param('weight', [outFeatures, inFeatures], 'linear');
    this.bias = (opts.bias ?? true) ? scope.param('bias', [outFeatures], 'plain') : undefined;
  }

  apply<T extends tf.Tensor>(x: T): T {
    // Own tidy: an offloaded weight's upload is freed as soon as it has been used.
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      // A weight over the tensor limit comes in pieces of output features: their outputs side by side.
      const pieces = this.weight.readPieces() as tf.Tensor2D[];
      let y: tf.Tensor = pieces.length === 1 ? tf.matMul(flat, pieces[0]) : tf.concat(pieces.map((w) => tf.matMul(flat, w)), 1);
      if (this.bias !== undefined) y = tf.add(y, this.bias.read());
      return tf.reshape(y, [...lead, this.outFeatures]) as T;
    });
  }
}
