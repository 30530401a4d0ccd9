// nn.Conv2d on NHWC tensors, filter kept as [kh, kw, in, out]. Padding is applied explicitly (zeros on every
// side, PyTorch's integer `padding`), then a 'valid' convolution, so any stride pads exactly as PyTorch.
// Gradients on wasm need engine/kernels' registerTrainingSupport() (wasm lacks Conv2DBackpropFilter).
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';
import { bytesOf, convolveRows, type ConvGeometry, type RowBands } from './row-bands.js';

export interface Conv2dOptions {
  stride?: number;
  /** Default: kernelSize // 2 ("same" for odd kernels at stride 1). */
  padding?: number;
  /** Default true; PyTorch's `bias=False` convolutions (TAESD's strided and skip convs) have none. */
  bias?: boolean;
}

export class Conv2d {
  private readonly weight: Param;
  private readonly bias: Param | undefined;
  readonly stride: number;
  readonly padding: number;

  constructor(
    scope: Scope,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv2dOptions = {},
  ) {
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? Math.floor(kernelSize / 2);
    this.weight = scope.param('weight', [outChannels, inChannels, kernelSize, kernelSize], 'conv');
    this.bias = opts.bias === false ? undefined : scope.param('bias', [outChannels], 'plain');
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.padding;
      return this.convolveValid(p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x);
    });
  }

  /** The largest tensor apply() makes from input [B, H, W, in]: the zero-padded input or the output. */
  peakBytes(inputShape: readonly number[]): number {
    const [b, h, w, c] = inputShape;
    const p = this.padding;
    return Math.max(bytesOf([b, h + 2 * p, w + 2 * p, c]), bytesOf([b, h, w, this.outChannels]));
  }

  /** The same convolution over row bands (row-bands.ts); `pad` overrides the symmetric padding (Downsample2D). */
  applyBands(bands: RowBands, pad?: ConvGeometry['pad']): RowBands {
    const p = this.padding;
    const geometry = { kernel: this.kernelSize, stride: this.stride, pad: pad ?? { top: p, bottom: p, left: p, right: p }, outChannels: this.outChannels };
    return convolveRows(bands, geometry, (slab) => this.convolveValid(slab));
  }

  private convolveValid(padded: tf.Tensor4D): tf.Tensor4D {
    // A filter over the tensor limit comes in pieces of output channels: their outputs side by side.
    const pieces = this.weight.readPieces() as tf.Tensor4D[];
    const conv = (w: tf.Tensor4D) => tf.conv2d(padded, w, this.stride, 'valid');
    const out = pieces.length === 1 ? conv(pieces[0]) : (tf.concat(pieces.map(conv), 3) as tf.Tensor4D);
    return this.bias ? tf.add(out, this.bias.read()) : out;
  }
}
