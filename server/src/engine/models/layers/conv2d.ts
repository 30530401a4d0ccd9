// nn.Conv2d on NHWC tensors, filter kept as [kh, kw, in, out]. Padding is applied explicitly (zeros on every
// side, PyTorch's integer `padding`), then a 'valid' convolution, so any stride pads exactly as PyTorch.
// Gradients on wasm need engine/kernels' registerTrainingSupport() (wasm lacks Conv2DBackpropFilter).
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';
import { bytesOf, convolveRows, type ConvGeometry, type RowBands } from './row-bands.js';
import { maxTensorBytes } from '../../tensor-limit.js';
import { useWinograd, winogradConv3x3, winogradFilters } from './winograd.js';

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

  /**
   * This convolution (3x3, stride 1, padding 1) of x upsampled 2x by nearest neighbour, without making the
   * upsampled map: each of the four output phases (even/odd row, even/odd column) sees every input pixel
   * twice or once per axis, so it is a 2x2 convolution of x with the 3x3 taps that land on the same pixel
   * summed. 16 products per input pixel and output channel instead of 36, the same sums regrouped. Other
   * geometries, or a filter held in pieces, take the plain route.
   */
  applyUpsampled2x(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w] = x.shape;
      const pieces = this.weight.readPieces() as tf.Tensor4D[];
      if (this.kernelSize !== 3 || this.stride !== 1 || this.padding !== 1 || pieces.length !== 1) {
        return this.apply(tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]));
      }
      const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      const rows = [foldTaps(pieces[0], 0, 0), foldTaps(pieces[0], 0, 1)];
      const phaseRows = rows.map((kernelRows, a) => {
        const phases = ([0, 1] as const).map((c) => tf.conv2d(tf.slice(padded, [0, a, c, 0], [b, h + 1, w + 1, -1]), foldTaps(kernelRows, 1, c), 1, 'valid'));
        // Even and odd columns side by side: [B, h, w, 2, out] is [B, h, 2w, out] row-major.
        return tf.reshape(tf.stack(phases, 3), [b, h, 2 * w, this.outChannels]);
      });
      const out = tf.reshape(tf.stack(phaseRows, 2), [b, 2 * h, 2 * w, this.outChannels]) as tf.Tensor4D;
      return this.bias ? tf.add(out, this.bias.read()) : out;
    });
  }

  /** The 16 transformed filters are 16/9 of the filter in one tensor: they must fit the tensor limit too. */
  private takesWinograd(padded: readonly number[]): boolean {
    if (this.kernelSize !== 3 || this.stride !== 1 || this.weight.isInPieces()) return false;
    return bytesOf([16, this.inChannels * this.outChannels]) <= maxTensorBytes() && useWinograd(padded, this.outChannels);
  }

  private convolveValid(padded: tf.Tensor4D): tf.Tensor4D {
    if (this.takesWinograd(padded.shape)) {
      const out = winogradConv3x3(padded, winogradFilters(this.weight.read() as tf.Tensor4D));
      return this.bias ? tf.add(out, this.bias.read()) : out;
    }
    // A filter over the tensor limit comes in pieces of output channels: their outputs side by side.
    const pieces = this.weight.readPieces() as tf.Tensor4D[];
    const conv = (w: tf.Tensor4D) => tf.conv2d(padded, w, this.stride, 'valid');
    const out = pieces.length === 1 ? conv(pieces[0]) : (tf.concat(pieces.map(conv), 3) as tf.Tensor4D);
    return this.bias ? tf.add(out, this.bias.read()) : out;
  }
}

/**
 * The 3 taps of `kernel` along `axis` (0: rows, 1: columns) folded to the 2 that an output of `phase` reads on
 * a 2x nearest-upsampled map: phase 0 meets the previous input pixel with tap 0 and its own with taps 1 + 2;
 * phase 1 its own with taps 0 + 1 and the next with tap 2.
 */
function foldTaps(kernel: tf.Tensor4D, axis: 0 | 1, phase: 0 | 1): tf.Tensor4D {
  const tap = (i: number) => tf.slice(kernel, axis === 0 ? [i, 0, 0, 0] : [0, i, 0, 0], axis === 0 ? [1, -1, -1, -1] : [-1, 1, -1, -1]);
  const parts = phase === 0 ? [tap(0), tf.add(tap(1), tap(2))] : [tf.add(tap(0), tap(1)), tap(2)];
  return tf.concat(parts, axis) as tf.Tensor4D;
}
