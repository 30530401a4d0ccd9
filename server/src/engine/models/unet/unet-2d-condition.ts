// diffusers' UNet2DConditionModel for Stable Diffusion 1.x / 2.x: predicts the noise in an NHWC latent at
// given timesteps, conditioned on the text encoder's hidden states.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { silu } from '../layers/activations.js';
import { chainTidy } from '../layers/chain.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/norm.js';
import { declareParameters, ParameterModel } from '../layers/parameter-model.js';
import type { Attention, ImagePrompt } from '../layers/attention.js';
import type { ModelOptions, ParameterSpec, Scope } from '../layers/parameters.js';
import { TimestepMLP, timestepEmbedding } from './embeddings.js';
import { type BlockContext, DownBlock, MidBlock, type UNetStage, type UNetState, UpBlock } from './unet-blocks.js';
import type { UNetConfig } from './unet-config.js';

const MODEL_NAME = 'UNet2DConditionModel';

export type { UNetStage, UNetState } from './unet-blocks.js';

/** The network's modules; building them declares every parameter (name, shape, layout) in `root`'s registry. */
interface UNetModules {
  readonly timeEmbedding: TimestepMLP;
  readonly convIn: Conv2d;
  readonly downBlocks: DownBlock[];
  readonly midBlock: MidBlock;
  readonly upBlocks: UpBlock[];
  readonly convNormOut: GroupNorm;
  readonly convOut: Conv2d;
}

function buildModules(config: UNetConfig, root: Scope): UNetModules {
  const channels = config.blockOutChannels;
  const levels = channels.length;
  const convIn = new Conv2d(root.child('conv_in'), config.inChannels, channels[0], config.convInKernel);
  const timeEmbedding = new TimestepMLP(root.child('time_embedding'), channels[0], config.timeEmbeddingDim);

  const downBlocks = config.downBlockTypes.map((type, i) => {
    const shape = {
      inChannels: i === 0 ? channels[0] : channels[i - 1],
      outChannels: channels[i],
      numLayers: config.layersPerBlock[i],
      withAttention: type === 'CrossAttnDownBlock2D',
      heads: config.numAttentionHeads[i],
      transformerLayers: config.transformerLayersPerBlock[i],
    };
    return new DownBlock(root.child('down_blocks').child(i), config, shape, i < levels - 1);
  });
  const midBlock = new MidBlock(root.child('mid_block'), config);

  const reversed = [...channels].reverse();
  const reversedHeads = [...config.numAttentionHeads].reverse();
  const reversedLayers = [...config.layersPerBlock].reverse();
  const reversedTransformerLayers = [...config.transformerLayersPerBlock].reverse();
  const upBlocks = config.upBlockTypes.map((type, i) => {
    const shape = {
      prevOutputChannels: i === 0 ? reversed[0] : reversed[i - 1],
      outChannels: reversed[i],
      inChannels: reversed[Math.min(i + 1, levels - 1)],
      numLayers: reversedLayers[i] + 1,
      withAttention: type === 'CrossAttnUpBlock2D',
      heads: reversedHeads[i],
      transformerLayers: reversedTransformerLayers[i],
    };
    return new UpBlock(root.child('up_blocks').child(i), config, shape, i < levels - 1);
  });

  const convNormOut = new GroupNorm(root.child('conv_norm_out'), config.normNumGroups, channels[0], config.normEps);
  const convOut = new Conv2d(root.child('conv_out'), channels[0], config.outChannels, config.convOutKernel);
  return { timeEmbedding, convIn, downBlocks, midBlock, upBlocks, convNormOut, convOut };
}

export class UNet2DConditionModel extends ParameterModel<UNetModules> {
  constructor(
    readonly config: UNetConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    super(MODEL_NAME, (root) => buildModules(config, root), weights, opts);
  }

  /** The parameters a config calls for (name, PyTorch shape, layout), without loading any weights. */
  static expectedParameters(config: UNetConfig): ReadonlyMap<string, ParameterSpec> {
    return declareParameters(MODEL_NAME, (root) => buildModules(config, root));
  }

  /**
   * sample NHWC [B, h, w, in_channels]; timestep float32 [B] (or [1], broadcast); encoderHiddenStates
   * [B, L, cross_attention_dim]. Returns the predicted noise, NHWC [B, h, w, out_channels].
   */
  forward(sample: tf.Tensor4D, timestep: tf.Tensor1D, encoderHiddenStates: tf.Tensor3D, image?: ImagePrompt): tf.Tensor4D {
    return tf.tidy(() => {
      const { input, stages } = this.stages(sample, timestep, encoderHiddenStates, image);
      return chainTidy(input, stages.map((s) => s.run))[0];
    });
  }

  /**
   * The forward pass as a sequence of stages (conv_in, each resnet, transformer and resampler of the down,
   * mid and up blocks, the output head) over a state [h, ...skip stack], so that training can checkpoint
   * activations at layer boundaries (training/checkpointed-grads.ts). `temb` (the time embedding every stage reads) is the
   * caller's to dispose, or its tidy's; `forward` is these stages chained.
   */
  stages(sample: tf.Tensor4D, timestep: tf.Tensor1D, encoderHiddenStates: tf.Tensor3D, image?: ImagePrompt): { input: UNetState; stages: UNetStage[]; temb: tf.Tensor2D } {
    this.checkInputs(sample, timestep, encoderHiddenStates);
    if (image !== undefined && image.tokens.shape[0] !== sample.shape[0]) {
      throw new Error(`UNet2DConditionModel: image prompt tokens must have the batch ${sample.shape[0]}, got [${image.tokens.shape.join(', ')}]`);
    }
    const temb = this.timeEmbedding(timestep, sample.shape[0]);
    const ctx: BlockContext = { temb, encoderHiddenStates, image };
    const stages: UNetStage[] = [
      {
        module: 'conv_in',
        run: ([x]) => {
          const h = this.net.convIn.apply(this.config.centerInputSample ? tf.sub(tf.mul(x, 2), 1) : x);
          return [h, h];
        },
      },
      ...this.net.downBlocks.flatMap((block) => block.stages(ctx)),
      ...this.net.midBlock.stages(ctx),
      ...this.net.upBlocks.flatMap((block) => block.stages(ctx)),
    ];
    stages.push({ module: 'conv_out', run: ([h]) => [this.net.convOut.apply(silu(this.net.convNormOut.apply(h)))] });
    return { input: [sample], stages, temb };
  }

  /**
   * The cross-attention (attn2) modules in the order of diffusers' `unet.attn_processors` (down blocks, up blocks,
   * then the mid block): the order IP-Adapter files number their layers in.
   */
  crossAttentions(): Attention[] {
    return [...this.net.downBlocks.flatMap((b) => b.crossAttentions()), ...this.net.upBlocks.flatMap((b) => b.crossAttentions()), ...this.net.midBlock.crossAttentions()];
  }

  /** The time embedding [batch, time_embed_dim] every resnet reads: sinusoids, then the MLP. */
  timeEmbedding(timestep: tf.Tensor1D, batch: number): tf.Tensor2D {
    return tf.tidy(() => {
      const t = timestep.shape[0] === batch ? tf.cast(timestep, 'float32') : tf.tile(tf.cast(timestep, 'float32'), [batch]);
      return this.net.timeEmbedding.apply(timestepEmbedding(t, this.config.blockOutChannels[0], this.config));
    });
  }

  private checkInputs(sample: tf.Tensor, timestep: tf.Tensor, ehs: tf.Tensor): void {
    const shape = (t: tf.Tensor) => `[${t.shape.join(', ')}]`;
    const { inChannels, crossAttentionDim } = this.config;
    if (sample.rank !== 4 || sample.shape[3] !== inChannels) {
      throw new Error(`UNet2DConditionModel: sample must be NHWC [B, h, w, ${inChannels}], got ${shape(sample)}`);
    }
    const batch = sample.shape[0];
    if (timestep.rank !== 1 || (timestep.shape[0] !== batch && timestep.shape[0] !== 1)) {
      throw new Error(`UNet2DConditionModel: timestep must be [${batch}] or [1], got ${shape(timestep)}`);
    }
    if (ehs.rank !== 3 || ehs.shape[0] !== batch || ehs.shape[2] !== crossAttentionDim) {
      throw new Error(
        `UNet2DConditionModel: encoderHiddenStates must be [${batch}, L, ${crossAttentionDim}], got ${shape(ehs)}`,
      );
    }
  }
}
