// diffusers' AutoencoderKL config (the SD 1.x / 2.x VAE), parsed once into a frozen typed object.
import { z } from 'zod';
import { ModelConfigError, deepFreeze, parseConfig } from '../layers/config-parsing.js';

const positiveInt = z.number().int().positive();

const schema = z.object({
  in_channels: positiveInt.default(3),
  out_channels: positiveInt.default(3),
  down_block_types: z.array(z.literal('DownEncoderBlock2D')).min(1).default(['DownEncoderBlock2D']),
  up_block_types: z.array(z.literal('UpDecoderBlock2D')).min(1).default(['UpDecoderBlock2D']),
  block_out_channels: z.array(positiveInt).min(1).default([64]),
  layers_per_block: positiveInt.default(1),
  act_fn: z.literal('silu').default('silu'),
  latent_channels: positiveInt.default(4),
  norm_num_groups: positiveInt.default(32),
  scaling_factor: z.number().positive().default(0.18215),
  shift_factor: z.null({ error: 'not supported (SD3/Flux latent shift)' }).optional(),
  use_quant_conv: z.boolean().default(true),
  use_post_quant_conv: z.boolean().default(true),
  mid_block_add_attention: z.boolean().default(true),
});

export interface AutoencoderKLConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly latentChannels: number;
  readonly normNumGroups: number;
  /** Latents for the UNet are `scalingFactor * sample`; the VAE decodes `latents / scalingFactor`. */
  readonly scalingFactor: number;
  readonly useQuantConv: boolean;
  readonly usePostQuantConv: boolean;
  readonly midBlockAddAttention: boolean;
}

export function parseAutoencoderKLConfig(json: unknown): AutoencoderKLConfig {
  const c = parseConfig(schema, json, 'AutoencoderKL');
  const n = c.block_out_channels.length;
  const fail = (msg: string): never => {
    throw new ModelConfigError(`invalid AutoencoderKL config: ${msg}`);
  };
  if (c.down_block_types.length !== n) fail(`down_block_types has ${c.down_block_types.length} entries, block_out_channels ${n}`);
  if (c.up_block_types.length !== n) fail(`up_block_types has ${c.up_block_types.length} entries, block_out_channels ${n}`);
  c.block_out_channels.forEach((ch, i) => {
    if (ch % c.norm_num_groups !== 0) fail(`block_out_channels[${i}] = ${ch} is not a multiple of norm_num_groups ${c.norm_num_groups}`);
  });
  return deepFreeze({
    inChannels: c.in_channels,
    outChannels: c.out_channels,
    blockOutChannels: [...c.block_out_channels],
    layersPerBlock: c.layers_per_block,
    latentChannels: c.latent_channels,
    normNumGroups: c.norm_num_groups,
    scalingFactor: c.scaling_factor,
    useQuantConv: c.use_quant_conv,
    usePostQuantConv: c.use_post_quant_conv,
    midBlockAddAttention: c.mid_block_add_attention,
  });
}
