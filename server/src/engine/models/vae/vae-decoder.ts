// diffusers' VAE Decoder: conv_in, mid block, UpDecoderBlock2Ds (nearest x2 upsampling), GroupNorm-SiLU-conv_out.
import type * as tf from '@tensorflow/tfjs-core';
import { silu } from '../layers/activations.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/norm.js';
import type { Scope } from '../layers/parameters.js';
import { ResnetBlock2D } from '../layers/resnet.js';
import { bytesOf, layerStep, mapBands, runBandedSteps, wholeStep, type BandedStep } from '../layers/row-bands.js';
import { Upsample2D } from '../layers/sampling.js';
import type { AutoencoderKLConfig } from './vae-config.js';
import { VAEMidBlock, VAE_NORM_EPS } from './vae-mid-block.js';

export class VAEDecoder {
  private readonly convIn: Conv2d;
  private readonly midBlock: VAEMidBlock;
  private readonly stages: { resnets: ResnetBlock2D[]; upsampler: Upsample2D | undefined }[];
  private readonly convNormOut: GroupNorm;
  private readonly convOut: Conv2d;

  constructor(scope: Scope, config: AutoencoderKLConfig) {
    const reversed = [...config.blockOutChannels].reverse();
    const groups = config.normNumGroups;
    this.convIn = new Conv2d(scope.child('conv_in'), config.latentChannels, reversed[0], 3);
    this.midBlock = new VAEMidBlock(scope.child('mid_block'), reversed[0], groups, config.midBlockAddAttention);
    this.stages = reversed.map((out, i) => {
      const block = scope.child('up_blocks').child(i);
      const prev = i === 0 ? reversed[0] : reversed[i - 1];
      const resnets = Array.from(
        { length: config.layersPerBlock + 1 },
        (_, j) =>
          new ResnetBlock2D(block.child('resnets').child(j), {
            inChannels: j === 0 ? prev : out,
            outChannels: out,
            groups,
            eps: VAE_NORM_EPS,
          }),
      );
      const upsampler = i < reversed.length - 1 ? new Upsample2D(block.child('upsamplers').child(0), out) : undefined;
      return { resnets, upsampler };
    });
    const bottom = reversed[reversed.length - 1];
    this.convNormOut = new GroupNorm(scope.child('conv_norm_out'), groups, bottom, VAE_NORM_EPS);
    this.convOut = new Conv2d(scope.child('conv_out'), bottom, config.outChannels, 3);
  }

  apply(z: tf.Tensor4D): tf.Tensor4D {
    const steps: BandedStep[] = [layerStep(this.convIn), wholeStep((t) => this.midBlock.apply(t))];
    for (const stage of this.stages) {
      steps.push(...stage.resnets.map(layerStep));
      if (stage.upsampler !== undefined) steps.push(layerStep(stage.upsampler));
    }
    steps.push({
      whole: (t) => this.convOut.apply(silu(this.convNormOut.apply(t))),
      bands: (t) => this.convOut.applyBands(mapBands(this.convNormOut.applyBands(t), silu)),
      peakBytes: ([b, h, w, c]) => bytesOf([b, h + 2, w + 2, c]),
    });
    // A 512x512 decode is memory-bound (128 x 512 x 512 floats per activation): each one is freed when used,
    // and from the first step whose tensors are over the tensor limit on, activations are row bands.
    return runBandedSteps(z, steps);
  }
}
