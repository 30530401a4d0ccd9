// diffusers' ResnetBlock2D ("default" time-embedding shift): GroupNorm-SiLU-Conv twice, the time embedding
// added between, a 1x1 conv shortcut when the width changes.
import * as tf from '@tensorflow/tfjs-core';
import { silu } from './activations.js';
import { Conv2d } from './conv2d.js';
import { Linear } from './linear.js';
import { GroupNorm } from './norm.js';
import type { Scope } from './parameters.js';
import { bytesOf, mapBands, zipBands, type RowBands } from './row-bands.js';

export interface ResnetOptions {
  inChannels: number;
  outChannels: number;
  /** Width of the time embedding; omitted for the VAE, whose resnets take none. */
  tembChannels?: number;
  groups: number;
  eps: number;
  /** The output is divided by this (diffusers' output_scale_factor). */
  outputScaleFactor?: number;
}

export class ResnetBlock2D {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv2d;
  private readonly timeEmbProj: Linear | undefined;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv2d;
  private readonly convShortcut: Conv2d | undefined;
  private readonly outputScaleFactor: number;

  constructor(scope: Scope, opts: ResnetOptions) {
    const { inChannels, outChannels, groups, eps } = opts;
    this.norm1 = new GroupNorm(scope.child('norm1'), groups, inChannels, eps);
    this.conv1 = new Conv2d(scope.child('conv1'), inChannels, outChannels, 3);
    this.timeEmbProj =
      opts.tembChannels === undefined ? undefined : new Linear(scope.child('time_emb_proj'), opts.tembChannels, outChannels);
    this.norm2 = new GroupNorm(scope.child('norm2'), groups, outChannels, eps);
    this.conv2 = new Conv2d(scope.child('conv2'), outChannels, outChannels, 3);
    this.convShortcut =
      inChannels === outChannels ? undefined : new Conv2d(scope.child('conv_shortcut'), inChannels, outChannels, 1, { padding: 0 });
    this.outputScaleFactor = opts.outputScaleFactor ?? 1;
  }

  /** x [B, H, W, in]; temb [B, tembChannels] (UNet only). */
  apply(x: tf.Tensor4D, temb?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      let h: tf.Tensor4D = this.conv1.apply(silu(this.norm1.apply(x)));
      if (this.timeEmbProj !== undefined) {
        if (temb === undefined) throw new Error('ResnetBlock2D: this block needs a time embedding');
        const t = this.timeEmbProj.apply(silu(temb));
        h = tf.add(h, tf.reshape(t, [t.shape[0], 1, 1, t.shape[1]])) as tf.Tensor4D;
      }
      h = this.conv2.apply(silu(this.norm2.apply(h)));
      const shortcut = this.convShortcut === undefined ? x : this.convShortcut.apply(x);
      const sum: tf.Tensor4D = tf.add(shortcut, h);
      return this.outputScaleFactor === 1 ? sum : tf.div(sum, this.outputScaleFactor);
    });
  }

  /** apply() over row bands, for the VAE (no time embedding). */
  applyBands(x: RowBands): RowBands {
    if (this.timeEmbProj !== undefined) throw new Error('ResnetBlock2D: the banded form takes no time embedding');
    return tf.tidy(() => {
      const h1 = this.conv1.applyBands(mapBands(this.norm1.applyBands(x), silu));
      const h2 = this.conv2.applyBands(mapBands(this.norm2.applyBands(h1), silu));
      const shortcut = this.convShortcut === undefined ? x : this.convShortcut.applyBands(x);
      return zipBands(h2, shortcut, (h, s) => {
        const sum: tf.Tensor4D = tf.add(s, h);
        return this.outputScaleFactor === 1 ? sum : tf.div(sum, this.outputScaleFactor);
      });
    });
  }

  /** The largest tensor apply() makes from input [B, H, W, in]: a zero-padded conv input. */
  peakBytes(inputShape: readonly number[]): number {
    const [b, h, w, c] = inputShape;
    return bytesOf([b, h + 2, w + 2, Math.max(c, this.conv1.outChannels)]);
  }
}
