// diffusers' Transformer2DModel (continuous input) with BasicTransformerBlocks: GroupNorm, proj_in
// (1x1 conv in SD 1.x, Linear with use_linear_projection in SD 2.x), self-attention, cross-attention,
// GEGLU feed-forward, proj_out, residual.
import * as tf from '@tensorflow/tfjs-core';
import { gelu } from '../layers/activations.js';
import { Attention, mapTokenChunks, type ImagePrompt } from '../layers/attention.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { GroupNorm, LayerNorm } from '../layers/norm.js';
import type { Scope } from '../layers/parameters.js';

type SpatialMap = { apply(x: tf.Tensor4D): tf.Tensor4D };

export interface Transformer2DOptions {
  channels: number;
  heads: number;
  layers: number;
  crossAttentionDim: number;
  groups: number;
  useLinearProjection: boolean;
}

/** diffusers' FeedForward with activation "geglu": net.0.proj to 2 x inner, hidden * gelu(gate), net.2. */
class GEGLUFeedForward {
  private readonly proj: Linear;
  private readonly out: Linear;

  constructor(
    scope: Scope,
    dim: number,
    private readonly inner: number,
  ) {
    this.proj = new Linear(scope.child('net').child(0).child('proj'), dim, inner * 2);
    this.out = new Linear(scope.child('net').child(2), inner, dim);
  }

  /**
   * Token by token, so long sequences go through in chunks (each in its own tidy): the 2 x inner-wide
   * projection and GELU's temporaries are the largest activations of the UNet (SD 1.5 at 64x64: 84 MB each).
   */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return mapTokenChunks(x, 2 * this.inner, (chunk) => {
      const [hidden, gate] = tf.split(this.proj.apply(chunk), [this.inner, this.inner], -1);
      return this.out.apply(tf.mul(hidden, gelu(gate)));
    });
  }
}

class BasicTransformerBlock {
  private readonly norm1: LayerNorm;
  private readonly attn1: Attention;
  private readonly norm2: LayerNorm;
  private readonly attn2: Attention;
  private readonly norm3: LayerNorm;
  private readonly ff: GEGLUFeedForward;

  constructor(scope: Scope, dim: number, heads: number, crossAttentionDim: number) {
    const dimHead = dim / heads;
    this.norm1 = new LayerNorm(scope.child('norm1'), dim, 1e-5);
    this.attn1 = new Attention(scope.child('attn1'), { queryDim: dim, heads, dimHead, qkvBias: false });
    this.norm2 = new LayerNorm(scope.child('norm2'), dim, 1e-5);
    this.attn2 = new Attention(scope.child('attn2'), { queryDim: dim, crossAttentionDim, heads, dimHead, qkvBias: false });
    this.norm3 = new LayerNorm(scope.child('norm3'), dim, 1e-5);
    this.ff = new GEGLUFeedForward(scope.child('ff'), dim, dim * 4);
  }

  /** The cross-attention (attn2), where an IP-Adapter layer attaches. */
  get crossAttention(): Attention {
    return this.attn2;
  }

  apply(x: tf.Tensor3D, context: tf.Tensor3D, image?: ImagePrompt): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D = tf.add(x, tf.tidy(() => this.attn1.apply(this.norm1.apply(x))));
      h = tf.add(h, tf.tidy(() => this.attn2.apply(this.norm2.apply(h), context, image)));
      return tf.add(h, tf.tidy(() => this.ff.apply(this.norm3.apply(h))));
    });
  }
}

export class Transformer2DModel {
  private readonly norm: GroupNorm;
  // A 1x1 conv on NHWC and a Linear on the last axis are the same map, so both apply to [B, H, W, C].
  private readonly projIn: SpatialMap;
  private readonly projOut: SpatialMap;
  private readonly blocks: BasicTransformerBlock[];

  constructor(
    scope: Scope,
    private readonly opts: Transformer2DOptions,
  ) {
    const { channels } = opts;
    // Transformer2DModel's GroupNorm always uses eps 1e-6, whatever the UNet's norm_eps.
    this.norm = new GroupNorm(scope.child('norm'), opts.groups, channels, 1e-6);
    const proj = (name: string): SpatialMap =>
      opts.useLinearProjection
        ? new Linear(scope.child(name), channels, channels)
        : new Conv2d(scope.child(name), channels, channels, 1, { padding: 0 });
    this.projIn = proj('proj_in');
    this.blocks = Array.from(
      { length: opts.layers },
      (_, i) => new BasicTransformerBlock(scope.child('transformer_blocks').child(i), channels, opts.heads, opts.crossAttentionDim),
    );
    this.projOut = proj('proj_out');
  }

  crossAttentions(): Attention[] {
    return this.blocks.map((b) => b.crossAttention);
  }

  apply(x: tf.Tensor4D, context: tf.Tensor3D, image?: ImagePrompt): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const normed = this.norm.apply(x);
      // NHWC flattens to tokens [B, HW, C] without a transpose.
      let tokens = tf.reshape(this.projIn.apply(normed), [b, h * w, c]) as tf.Tensor3D;
      for (const block of this.blocks) tokens = block.apply(tokens, context, image);
      const out = this.projOut.apply(tf.reshape(tokens, [b, h, w, c]) as tf.Tensor4D);
      return tf.add(out, x);
    });
  }
}
