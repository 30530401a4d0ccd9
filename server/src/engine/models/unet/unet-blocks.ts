// The UNet's down, mid and up blocks (diffusers' CrossAttnDownBlock2D / DownBlock2D,
// UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D / UpBlock2D): resnets, optional Transformer2DModels,
// down/up-sampling.
import * as tf from '@tensorflow/tfjs-core';
import { chainTidy, type Step } from '../layers/chain.js';
import type { Scope } from '../layers/parameters.js';
import { ResnetBlock2D } from '../layers/resnet.js';
import { Downsample2D, Upsample2D } from '../layers/sampling.js';
import { Transformer2DModel } from './transformer-2d.js';
import type { UNetConfig } from './unet-config.js';

export interface BlockContext {
  temb: tf.Tensor2D;
  encoderHiddenStates: tf.Tensor3D;
}

interface BlockShape {
  inChannels: number;
  outChannels: number;
  numLayers: number;
  withAttention: boolean;
  heads: number;
  transformerLayers: number;
}

function resnet(scope: Scope, config: UNetConfig, inChannels: number, outChannels: number, outputScaleFactor: number) {
  return new ResnetBlock2D(scope, {
    inChannels,
    outChannels,
    tembChannels: config.timeEmbeddingDim,
    groups: config.normNumGroups,
    eps: config.normEps,
    outputScaleFactor,
  });
}

function transformer(scope: Scope, config: UNetConfig, channels: number, heads: number, layers: number) {
  return new Transformer2DModel(scope, {
    channels,
    heads,
    layers,
    crossAttentionDim: config.crossAttentionDim,
    groups: config.normNumGroups,
    useLinearProjection: config.useLinearProjection,
  });
}

export class DownBlock {
  private readonly resnets: ResnetBlock2D[];
  private readonly attentions: Transformer2DModel[];
  private readonly downsampler: Downsample2D | undefined;

  constructor(scope: Scope, config: UNetConfig, shape: BlockShape, addDownsample: boolean) {
    this.resnets = Array.from({ length: shape.numLayers }, (_, i) =>
      resnet(scope.child('resnets').child(i), config, i === 0 ? shape.inChannels : shape.outChannels, shape.outChannels, config.resnetOutScaleFactor),
    );
    this.attentions = shape.withAttention
      ? Array.from({ length: shape.numLayers }, (_, i) =>
          transformer(scope.child('attentions').child(i), config, shape.outChannels, shape.heads, shape.transformerLayers),
        )
      : [];
    this.downsampler = addDownsample
      ? new Downsample2D(scope.child('downsamplers').child(0), shape.outChannels, config.downsamplePadding)
      : undefined;
  }

  /** Returns the block output and every intermediate state the up path takes as a skip connection. */
  apply(x: tf.Tensor4D, ctx: BlockContext): { output: tf.Tensor4D; skips: tf.Tensor4D[] } {
    const skips: tf.Tensor4D[] = [];
    let h = x;
    this.resnets.forEach((block, i) => {
      const attention = this.attentions[i];
      h = chainTidy(h, [(t) => block.apply(t, ctx.temb), ...(attention ? [(t: tf.Tensor4D) => attention.apply(t, ctx.encoderHiddenStates)] : [])]);
      skips.push(h);
    });
    if (this.downsampler !== undefined) {
      h = this.downsampler.apply(h);
      skips.push(h);
    }
    return { output: h, skips };
  }
}

export class MidBlock {
  private readonly resnets: [ResnetBlock2D, ResnetBlock2D];
  private readonly attention: Transformer2DModel;

  constructor(scope: Scope, config: UNetConfig) {
    const last = config.blockOutChannels.length - 1;
    const channels = config.blockOutChannels[last];
    const make = (i: number) => resnet(scope.child('resnets').child(i), config, channels, channels, config.midBlockScaleFactor);
    this.resnets = [make(0), make(1)];
    this.attention = transformer(
      scope.child('attentions').child(0),
      config,
      channels,
      config.numAttentionHeads[last],
      config.transformerLayersPerBlock[last],
    );
  }

  apply(x: tf.Tensor4D, ctx: BlockContext): tf.Tensor4D {
    return chainTidy(x, [
      (t) => this.resnets[0].apply(t, ctx.temb),
      (t) => this.attention.apply(t, ctx.encoderHiddenStates),
      (t) => this.resnets[1].apply(t, ctx.temb),
    ]);
  }
}

export class UpBlock {
  private readonly resnets: ResnetBlock2D[];
  private readonly attentions: Transformer2DModel[];
  private readonly upsampler: Upsample2D | undefined;

  /**
   * As diffusers: resnet j takes the previous output (j = 0: the block below's) concatenated with a skip
   * whose width is outChannels, except the last, whose skip comes from the level below (inChannels).
   */
  constructor(scope: Scope, config: UNetConfig, shape: BlockShape & { prevOutputChannels: number }, addUpsample: boolean) {
    const { inChannels, outChannels, numLayers } = shape;
    this.resnets = Array.from({ length: numLayers }, (_, j) => {
      const skipChannels = j === numLayers - 1 ? inChannels : outChannels;
      const resnetIn = j === 0 ? shape.prevOutputChannels : outChannels;
      return resnet(scope.child('resnets').child(j), config, resnetIn + skipChannels, outChannels, config.resnetOutScaleFactor);
    });
    this.attentions = shape.withAttention
      ? Array.from({ length: numLayers }, (_, j) =>
          transformer(scope.child('attentions').child(j), config, outChannels, shape.heads, shape.transformerLayers),
        )
      : [];
    this.upsampler = addUpsample ? new Upsample2D(scope.child('upsamplers').child(0), outChannels) : undefined;
  }

  get numLayers(): number {
    return this.resnets.length;
  }

  /** `skips` are consumed last-first; `upsampleSize` is the spatial size of the next block's first skip. */
  apply(x: tf.Tensor4D, skips: tf.Tensor4D[], ctx: BlockContext, upsampleSize?: [number, number]): tf.Tensor4D {
    const steps: Step<tf.Tensor4D>[] = [];
    this.resnets.forEach((block, j) => {
      const skip = skips[skips.length - 1 - j];
      steps.push((t) => block.apply(tf.concat([t, skip], 3), ctx.temb));
      const attention = this.attentions[j];
      if (attention !== undefined) steps.push((t) => attention.apply(t, ctx.encoderHiddenStates));
    });
    const upsampler = this.upsampler;
    if (upsampler !== undefined) steps.push((t) => upsampler.apply(t, upsampleSize));
    return chainTidy(x, steps);
  }
}
