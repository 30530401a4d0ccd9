// diffusers' UNet2DConditionModel config (SD 1.x and 2.x layouts), parsed once into a frozen typed object.
// Defaults are diffusers', so older config.json files without the newer keys parse too. Options Stable
// Diffusion 1.x/2.x never use (class/addition embeddings, SDXL parts) are rejected by name.
import { z } from 'zod';
import { ModelConfigError, deepFreeze, parseConfig } from '../layers/config-parsing.js';

const positiveInt = z.number().int().positive();
const intOrList = z.union([positiveInt, z.array(positiveInt).min(1)]);
const notSupported = (what: string) => z.null({ error: `not supported (${what})` }).optional();

const schema = z.object({
  in_channels: positiveInt.default(4),
  out_channels: positiveInt.default(4),
  center_input_sample: z.boolean().default(false),
  flip_sin_to_cos: z.boolean().default(true),
  freq_shift: z.number().default(0),
  down_block_types: z
    .array(z.enum(['CrossAttnDownBlock2D', 'DownBlock2D']))
    .min(1)
    .default(['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D']),
  mid_block_type: z.literal('UNetMidBlock2DCrossAttn').default('UNetMidBlock2DCrossAttn'),
  up_block_types: z
    .array(z.enum(['UpBlock2D', 'CrossAttnUpBlock2D']))
    .min(1)
    .default(['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D']),
  only_cross_attention: z.union([z.literal(false), z.array(z.literal(false))]).default(false),
  block_out_channels: z.array(positiveInt).min(1).default([320, 640, 1280, 1280]),
  layers_per_block: intOrList.default(2),
  downsample_padding: z.number().int().nonnegative().default(1),
  mid_block_scale_factor: z.number().positive().default(1),
  act_fn: z.literal('silu').default('silu'),
  norm_num_groups: positiveInt.default(32),
  norm_eps: z.number().positive().default(1e-5),
  cross_attention_dim: positiveInt.default(1280),
  transformer_layers_per_block: intOrList.default(1),
  attention_head_dim: intOrList.default(8),
  num_attention_heads: intOrList.nullable().default(null),
  use_linear_projection: z.boolean().default(false),
  upcast_attention: z.boolean().nullable().default(false),
  resnet_time_scale_shift: z.literal('default').default('default'),
  resnet_out_scale_factor: z.number().positive().default(1),
  resnet_skip_time_act: z.literal(false).default(false),
  time_embedding_type: z.literal('positional').default('positional'),
  time_embedding_dim: positiveInt.nullable().default(null),
  conv_in_kernel: positiveInt.default(3),
  conv_out_kernel: positiveInt.default(3),
  dual_cross_attention: z.literal(false).default(false),
  attention_type: z.literal('default').default('default'),
  class_embed_type: notSupported('class embeddings'),
  num_class_embeds: notSupported('class embeddings'),
  addition_embed_type: notSupported('SDXL-style added embeddings'),
  encoder_hid_dim: notSupported('encoder_hid_proj'),
  encoder_hid_dim_type: notSupported('encoder_hid_proj'),
  time_cond_proj_dim: notSupported('LCM time conditioning'),
  time_embedding_act_fn: notSupported('time embedding activation'),
  timestep_post_act: notSupported('timestep post activation'),
  cross_attention_norm: notSupported('cross-attention norm'),
  class_embeddings_concat: z.literal(false).optional(),
  mid_block_only_cross_attention: z.literal(false).nullable().optional(),
  reverse_transformer_layers_per_block: notSupported('reverse_transformer_layers_per_block'),
});

export type UNetBlockType = 'CrossAttnDownBlock2D' | 'DownBlock2D' | 'CrossAttnUpBlock2D' | 'UpBlock2D';

export interface UNetConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly centerInputSample: boolean;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
  readonly downBlockTypes: readonly ('CrossAttnDownBlock2D' | 'DownBlock2D')[];
  readonly upBlockTypes: readonly ('CrossAttnUpBlock2D' | 'UpBlock2D')[];
  readonly blockOutChannels: readonly number[];
  /** Per down block (up block i has layersPerBlock[reversed i] + 1 resnets). */
  readonly layersPerBlock: readonly number[];
  /** Per down block: number of attention heads (diffusers' legacy `attention_head_dim` in SD configs). */
  readonly numAttentionHeads: readonly number[];
  /** Per down block: transformer blocks inside each Transformer2DModel. */
  readonly transformerLayersPerBlock: readonly number[];
  readonly downsamplePadding: number;
  readonly midBlockScaleFactor: number;
  readonly resnetOutScaleFactor: number;
  readonly normNumGroups: number;
  readonly normEps: number;
  readonly crossAttentionDim: number;
  readonly useLinearProjection: boolean;
  /** Only changes anything in half precision; kept for the record. */
  readonly upcastAttention: boolean;
  readonly timeEmbeddingDim: number;
  readonly convInKernel: number;
  readonly convOutKernel: number;
  readonly sampleSize: number | readonly number[] | undefined;
}

const perBlock = (value: number | readonly number[], n: number, key: string): number[] => {
  if (typeof value === 'number') return Array<number>(n).fill(value);
  if (value.length !== n) throw new Error(`${key} has ${value.length} entries for ${n} down blocks`);
  return [...value];
};

export function parseUNetConfig(json: unknown): UNetConfig {
  const c = parseConfig(schema, json, 'UNet2DConditionModel');
  const n = c.down_block_types.length;
  const fail = (msg: string): never => {
    throw new ModelConfigError(`invalid UNet2DConditionModel config: ${msg}`);
  };
  if (c.up_block_types.length !== n) fail(`up_block_types has ${c.up_block_types.length} entries, down_block_types ${n}`);
  if (c.block_out_channels.length !== n) fail(`block_out_channels has ${c.block_out_channels.length} entries, down_block_types ${n}`);
  if (c.conv_in_kernel % 2 === 0 || c.conv_out_kernel % 2 === 0) fail('conv_in_kernel and conv_out_kernel must be odd');
  const sampleSize = (json as { sample_size?: unknown }).sample_size;
  let heads: number[] = [];
  let layersPerBlock: number[] = [];
  let transformerLayers: number[] = [];
  try {
    // diffusers: "num_attention_heads = num_attention_heads or attention_head_dim" (the legacy naming).
    heads = perBlock(c.num_attention_heads ?? c.attention_head_dim, n, 'num_attention_heads / attention_head_dim');
    layersPerBlock = perBlock(c.layers_per_block, n, 'layers_per_block');
    transformerLayers = perBlock(c.transformer_layers_per_block, n, 'transformer_layers_per_block');
  } catch (err) {
    fail((err as Error).message);
  }
  c.block_out_channels.forEach((ch, i) => {
    if (ch % c.norm_num_groups !== 0) fail(`block_out_channels[${i}] = ${ch} is not a multiple of norm_num_groups ${c.norm_num_groups}`);
    if (ch % heads[i] !== 0) fail(`block_out_channels[${i}] = ${ch} cannot be split into ${heads[i]} attention heads`);
  });
  return deepFreeze({
    inChannels: c.in_channels,
    outChannels: c.out_channels,
    centerInputSample: c.center_input_sample,
    flipSinToCos: c.flip_sin_to_cos,
    freqShift: c.freq_shift,
    downBlockTypes: [...c.down_block_types],
    upBlockTypes: [...c.up_block_types],
    blockOutChannels: [...c.block_out_channels],
    layersPerBlock,
    numAttentionHeads: heads,
    transformerLayersPerBlock: transformerLayers,
    downsamplePadding: c.downsample_padding,
    midBlockScaleFactor: c.mid_block_scale_factor,
    resnetOutScaleFactor: c.resnet_out_scale_factor,
    normNumGroups: c.norm_num_groups,
    normEps: c.norm_eps,
    crossAttentionDim: c.cross_attention_dim,
    useLinearProjection: c.use_linear_projection,
    upcastAttention: c.upcast_attention ?? false,
    timeEmbeddingDim: c.time_embedding_dim ?? c.block_out_channels[0] * 4,
    convInKernel: c.conv_in_kernel,
    convOutKernel: c.conv_out_kernel,
    sampleSize: typeof sampleSize === 'number' || Array.isArray(sampleSize) ? (sampleSize as number | number[]) : undefined,
  });
}
