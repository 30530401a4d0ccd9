// nn.Conv2d on NHWC tensors, filter kept as [kh, kw, in, out]. Padding is applied explicitly (zeros on every
// side, PyTorch's integer `padding`), then a 'valid' convolution, so any stride pads exactly as PyTorch.
// Gradients on wasm need engine/kernels' registerTrainingSupport() (wasm lacks Conv2DBackpropFilter).
import * as tf from '@tensorflow/tfjs-core';
import type { Param, Scope } from './parameters.js';

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
      const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
      const out = tf.conv2d(padded, this.weight.read() as tf.Tensor4D, this.stride, 'valid');
      return this.bias ? tf.add(out, this.bias.read()) : out;
    });
  }
}
