// diffusers' Downsample2D and Upsample2D, both with their convolution (use_conv=True, as SD uses them).
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d } from './conv2d.js';
import type { Scope } from './parameters.js';
import { bytesOf, upsampleRows2x, type RowBands } from './row-bands.js';

/** Stride-2 3x3 conv. padding 0 (the VAE) pads one row/column at the bottom/right first, as diffusers does. */
export class Downsample2D {
  private readonly conv: Conv2d;

  constructor(
    scope: Scope,
    channels: number,
    private readonly padding: number,
  ) {
    this.conv = new Conv2d(scope.child('conv'), channels, channels, 3, { stride: 2, padding });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const input = this.padding === 0 ? tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]) : x;
      return this.conv.apply(input);
    });
  }

  /** apply() over row bands. */
  applyBands(bands: RowBands): RowBands {
    const p = this.padding;
    return this.conv.applyBands(bands, p === 0 ? { top: 0, bottom: 1, left: 0, right: 1 } : { top: p, bottom: p, left: p, right: p });
  }

  /** The largest tensor apply() makes from input [B, H, W, C]: the padded input. */
  peakBytes(inputShape: readonly number[]): number {
    const [b, h, w, c] = inputShape;
    const p = Math.max(this.padding, 1);
    return bytesOf([b, h + 2 * p, w + 2 * p, c]);
  }
}

/**
 * Nearest-neighbour upsampling then a 3x3 conv. Without `size` the map doubles; the UNet passes the size of
 * the skip connection it meets next, which is how diffusers handles latents that do not halve evenly.
 * tfjs's resizeNearestNeighbor (no corner alignment, no half-pixel centres) picks floor(i * in / out),
 * as torch's interpolate(mode="nearest") does.
 */
export class Upsample2D {
  private readonly conv: Conv2d;

  constructor(scope: Scope, channels: number) {
    this.conv = new Conv2d(scope.child('conv'), channels, channels, 3);
  }

  apply(x: tf.Tensor4D, size?: readonly [number, number]): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      const target: [number, number] = size === undefined ? [2 * h, 2 * w] : [size[0], size[1]];
      if (target[0] === 2 * h && target[1] === 2 * w) return this.conv.applyUpsampled2x(x);
      return this.conv.apply(tf.image.resizeNearestNeighbor(x, target));
    });
  }

  /** apply() (doubling) over row bands. */
  applyBands(bands: RowBands): RowBands {
    return tf.tidy(() => this.conv.applyBands(upsampleRows2x(bands)));
  }

  /** The largest tensor apply() makes from input [B, H, W, C] when doubling: the padded upsampled map. */
  peakBytes(inputShape: readonly number[]): number {
    const [b, h, w, c] = inputShape;
    return bytesOf([b, 2 * h + 2, 2 * w + 2, c]);
  }
}
