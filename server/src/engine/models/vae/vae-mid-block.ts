// The VAE's UNetMidBlock2D: resnet, single-head self-attention over all pixels (with its own GroupNorm and
// a residual), resnet. No time embedding.
import * as tf from '@tensorflow/tfjs-core';
import { Attention } from '../layers/attention.js';
import { chainTidy } from '../layers/chain.js';
import { GroupNorm } from '../layers/norm.js';
import type { Scope } from '../layers/parameters.js';
import { ResnetBlock2D } from '../layers/resnet.js';

/** The VAE's GroupNorm epsilon (diffusers' Encoder/Decoder pass resnet_eps=1e-6 everywhere). */
export const VAE_NORM_EPS = 1e-6;

class SpatialSelfAttention {
  private readonly groupNorm: GroupNorm;
  private readonly attention: Attention;

  constructor(scope: Scope, channels: number, groups: number) {
    this.groupNorm = new GroupNorm(scope.child('group_norm'), groups, channels, VAE_NORM_EPS);
    this.attention = new Attention(scope, { queryDim: channels, heads: 1, dimHead: channels, qkvBias: true });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const tokens = tf.reshape(this.groupNorm.apply(x), [b, h * w, c]) as tf.Tensor3D;
      return tf.add(tf.reshape(this.attention.apply(tokens), [b, h, w, c]), x);
    });
  }
}

export class VAEMidBlock {
  private readonly resnets: [ResnetBlock2D, ResnetBlock2D];
  private readonly attention: SpatialSelfAttention | undefined;

  constructor(scope: Scope, channels: number, groups: number, addAttention: boolean) {
    const make = (i: number) =>
      new ResnetBlock2D(scope.child('resnets').child(i), { inChannels: channels, outChannels: channels, groups, eps: VAE_NORM_EPS });
    this.resnets = [make(0), make(1)];
    this.attention = addAttention ? new SpatialSelfAttention(scope.child('attentions').child(0), channels, groups) : undefined;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const attention = this.attention;
    return chainTidy(x, [
      (t) => this.resnets[0].apply(t),
      ...(attention ? [(t: tf.Tensor4D) => attention.apply(t)] : []),
      (t) => this.resnets[1].apply(t),
    ]);
  }
}
