// diffusers' VAE Encoder: conv_in, DownEncoderBlock2Ds, mid block, GroupNorm-SiLU-conv_out to
// 2 x latent_channels (mean and log-variance).
import type * as tf from '@tensorflow/tfjs-core';
import { silu } from '../layers/activations.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/norm.js';
import type { Scope } from '../layers/parameters.js';
import { ResnetBlock2D } from '../layers/resnet.js';
import { bytesOf, layerStep, mapBands, runBandedSteps, wholeStep, type BandedStep } from '../layers/row-bands.js';
import { Downsample2D } from '../layers/sampling.js';
import type { AutoencoderKLConfig } from './vae-config.js';
import { VAEMidBlock, VAE_NORM_EPS } from './vae-mid-block.js';

export class VAEEncoder {
  private readonly convIn: Conv2d;
  private readonly stages: { resnets: ResnetBlock2D[]; downsampler: Downsample2D | undefined }[];
  private readonly midBlock: VAEMidBlock;
  private readonly convNormOut: GroupNorm;
  private readonly convOut: Conv2d;

  constructor(scope: Scope, config: AutoencoderKLConfig) {
    const channels = config.blockOutChannels;
    const groups = config.normNumGroups;
    this.convIn = new Conv2d(scope.child('conv_in'), config.inChannels, channels[0], 3);
    this.stages = channels.map((out, i) => {
      const block = scope.child('down_blocks').child(i);
      const resnets = Array.from(
        { length: config.layersPerBlock },
        (_, j) =>
          new ResnetBlock2D(block.child('resnets').child(j), {
            inChannels: j === 0 ? (i === 0 ? channels[0] : channels[i - 1]) : out,
            outChannels: out,
            groups,
            eps: VAE_NORM_EPS,
          }),
      );
      // The encoder downsamples with padding 0 (one extra row/column at the bottom/right).
      const downsampler = i < channels.length - 1 ? new Downsample2D(block.child('downsamplers').child(0), out, 0) : undefined;
      return { resnets, downsampler };
    });
    const top = channels[channels.length - 1];
    this.midBlock = new VAEMidBlock(scope.child('mid_block'), top, groups, config.midBlockAddAttention);
    this.convNormOut = new GroupNorm(scope.child('conv_norm_out'), groups, top, VAE_NORM_EPS);
    this.convOut = new Conv2d(scope.child('conv_out'), top, 2 * config.latentChannels, 3);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const steps: BandedStep[] = [layerStep(this.convIn)];
    for (const stage of this.stages) {
      steps.push(...stage.resnets.map(layerStep));
      if (stage.downsampler !== undefined) steps.push(layerStep(stage.downsampler));
    }
    steps.push(wholeStep((t) => this.midBlock.apply(t)));
    steps.push({
      whole: (t) => this.convOut.apply(silu(this.convNormOut.apply(t))),
      bands: (t) => this.convOut.applyBands(mapBands(this.convNormOut.applyBands(t), silu)),
      peakBytes: ([b, h, w, c]) => bytesOf([b, h + 2, w + 2, c]),
    });
    // Activations over the tensor limit (full resolution, 128 channels, at 512x512) go in row bands.
    return runBandedSteps(x, steps);
  }
}
