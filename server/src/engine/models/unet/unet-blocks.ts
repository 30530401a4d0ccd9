// The UNet's down, mid and up blocks (diffusers' CrossAttnDownBlock2D / DownBlock2D,
// UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D / UpBlock2D): resnets, optional Transformer2DModels,
// down/up-sampling. Each block is a list of stages, one per layer, over the UNet's state [h, ...skip stack]:
// down blocks push skips, up blocks pop them. The forward pass chains the stages; training can checkpoint
// activations (and offloaded weights) at any stage boundary.
import * as tf from '@tensorflow/tfjs-core';
import type { Attention, ImagePrompt } from '../layers/attention.js';
import type { Scope } from '../layers/parameters.js';
import { ResnetBlock2D } from '../layers/resnet.js';
import { Downsample2D, Upsample2D } from '../layers/sampling.js';
import { Transformer2DModel } from './transformer-2d.js';
import type { UNetConfig } from './unet-config.js';

export interface BlockContext {
  temb: tf.Tensor2D;
  encoderHiddenStates: tf.Tensor3D;
  /** IP-Adapter image tokens, for the cross-attentions an adapter is attached to. */
  image?: ImagePrompt;
}

/** Between two stages of the forward pass: [h, ...skip connections waiting for the up path]. */
export type UNetState = tf.Tensor4D[];

export interface UNetStage {
  /** Module path of the parameters the stage reads (`down_blocks.1.attentions.0`). */
  readonly module: string;
  readonly run: (state: UNetState) => UNetState;
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
  private readonly prefix: string;

  constructor(scope: Scope, config: UNetConfig, shape: BlockShape, addDownsample: boolean) {
    this.prefix = scope.prefix;
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

  /** Each layer's output becomes h; a resnet (with its transformer, if any) and the downsampler also push it as a skip. */
  /** Cross-attentions in module order (transformer blocks of each attention). */
  crossAttentions(): Attention[] {
    return this.attentions.flatMap((a) => a.crossAttentions());
  }

  stages(ctx: BlockContext): UNetStage[] {
    const stages: UNetStage[] = [];
    this.resnets.forEach((resnet, i) => {
      const attention = this.attentions[i];
      stages.push({
        module: `${this.prefix}.resnets.${i}`,
        run: ([h, ...skips]) => {
          const out = resnet.apply(h, ctx.temb);
          return attention ? [out, ...skips] : [out, ...skips, out];
        },
      });
      if (attention) {
        stages.push({
          module: `${this.prefix}.attentions.${i}`,
          run: ([h, ...skips]) => {
            const out = attention.apply(h, ctx.encoderHiddenStates, ctx.image);
            return [out, ...skips, out];
          },
        });
      }
    });
    const downsampler = this.downsampler;
    if (downsampler !== undefined) {
      stages.push({
        module: `${this.prefix}.downsamplers.0`,
        run: ([h, ...skips]) => {
          const out = downsampler.apply(h);
          return [out, ...skips, out];
        },
      });
    }
    return stages;
  }
}

export class MidBlock {
  private readonly resnets: [ResnetBlock2D, ResnetBlock2D];
  private readonly attention: Transformer2DModel;
  private readonly prefix: string;

  constructor(scope: Scope, config: UNetConfig) {
    this.prefix = scope.prefix;
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

  /** Cross-attentions in module order (transformer blocks of each attention). */
  crossAttentions(): Attention[] {
    return this.attention.crossAttentions();
  }

  stages(ctx: BlockContext): UNetStage[] {
    const layer = (module: string, f: (h: tf.Tensor4D) => tf.Tensor4D): UNetStage => ({
      module: `${this.prefix}.${module}`,
      run: ([h, ...skips]) => [f(h), ...skips],
    });
    return [
      layer('resnets.0', (h) => this.resnets[0].apply(h, ctx.temb)),
      layer('attentions.0', (h) => this.attention.apply(h, ctx.encoderHiddenStates, ctx.image)),
      layer('resnets.1', (h) => this.resnets[1].apply(h, ctx.temb)),
    ];
  }
}

export class UpBlock {
  private readonly resnets: ResnetBlock2D[];
  private readonly attentions: Transformer2DModel[];
  private readonly upsampler: Upsample2D | undefined;
  private readonly prefix: string;

  /**
   * As diffusers: resnet j takes the previous output (j = 0: the block below's) concatenated with a skip
   * whose width is outChannels, except the last, whose skip comes from the level below (inChannels).
   */
  constructor(scope: Scope, config: UNetConfig, shape: BlockShape & { prevOutputChannels: number }, addUpsample: boolean) {
    this.prefix = scope.prefix;
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

  /**
   * Resnet j pops the newest skip and takes it concatenated to h. The upsampler scales h to the size of the
   * skip the next block pops first. Porting note: diffusers passes that size only when the latent does not
   * halve evenly at every level; otherwise it is exactly 2x, so always using it is the same map.
   */
  /** Cross-attentions in module order (transformer blocks of each attention). */
  crossAttentions(): Attention[] {
    return this.attentions.flatMap((a) => a.crossAttentions());
  }

  stages(ctx: BlockContext): UNetStage[] {
    const stages: UNetStage[] = [];
    this.resnets.forEach((resnet, j) => {
      stages.push({
        module: `${this.prefix}.resnets.${j}`,
        run: ([h, ...skips]) => [resnet.apply(tf.concat([h, skips[skips.length - 1]], 3), ctx.temb), ...skips.slice(0, -1)],
      });
      const attention = this.attentions[j];
      if (attention !== undefined) {
        stages.push({ module: `${this.prefix}.attentions.${j}`, run: ([h, ...skips]) => [attention.apply(h, ctx.encoderHiddenStates, ctx.image), ...skips] });
      }
    });
    const upsampler = this.upsampler;
    if (upsampler !== undefined) {
      stages.push({
        module: `${this.prefix}.upsamplers.0`,
        run: ([h, ...skips]) => {
          const next = skips[skips.length - 1];
          return [upsampler.apply(h, next === undefined ? undefined : [next.shape[1], next.shape[2]]), ...skips];
        },
      });
    }
    return stages;
  }
}
