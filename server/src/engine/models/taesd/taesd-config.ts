// diffusers' AutoencoderTiny config (TAESD), parsed once into a frozen typed object.
import { z } from 'zod';
import { ModelConfigError, deepFreeze, parseConfig } from '../layers/config-parsing.js';

const positiveInt = z.number().int().positive();

const schema = z.object({
  in_channels: positiveInt.default(3),
  out_channels: positiveInt.default(3),
  encoder_block_out_channels: z.array(positiveInt).min(1).default([64, 64, 64, 64]),
  decoder_block_out_channels: z.array(positiveInt).min(1).default([64, 64, 64, 64]),
  act_fn: z.literal('relu', { error: 'only relu is supported' }).default('relu'),
  upsample_fn: z.literal('nearest', { error: 'only nearest upsampling is supported' }).default('nearest'),
  latent_channels: positiveInt.default(4),
  upsampling_scaling_factor: z.literal(2, { error: 'only 2x upsampling is supported' }).default(2),
  num_encoder_blocks: z.array(positiveInt).min(1).default([1, 3, 3, 3]),
  num_decoder_blocks: z.array(positiveInt).min(1).default([3, 3, 3, 1]),
  scaling_factor: z.number().positive().default(1),
  shift_factor: z.number().default(0),
});

export interface AutoencoderTinyConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly encoderBlockOutChannels: readonly number[];
  readonly decoderBlockOutChannels: readonly number[];
  readonly latentChannels: number;
  readonly numEncoderBlocks: readonly number[];
  readonly numDecoderBlocks: readonly number[];
  /** 1 for TAESD: its latents are SD's latents as the UNet sees them. */
  readonly scalingFactor: number;
}

export function parseAutoencoderTinyConfig(json: unknown): AutoencoderTinyConfig {
  const c = parseConfig(schema, json, 'AutoencoderTiny');
  if (c.encoder_block_out_channels.length !== c.num_encoder_blocks.length) {
    throw new ModelConfigError(`invalid AutoencoderTiny config: encoder_block_out_channels has ${c.encoder_block_out_channels.length} entries, num_encoder_blocks ${c.num_encoder_blocks.length}`);
  }
  if (c.decoder_block_out_channels.length !== c.num_decoder_blocks.length) {
    throw new ModelConfigError(`invalid AutoencoderTiny config: decoder_block_out_channels has ${c.decoder_block_out_channels.length} entries, num_decoder_blocks ${c.num_decoder_blocks.length}`);
  }
  if (c.shift_factor !== 0) throw new ModelConfigError('invalid AutoencoderTiny config: shift_factor is not supported (SD3/Flux TAESD)');
  return deepFreeze({
    inChannels: c.in_channels,
    outChannels: c.out_channels,
    encoderBlockOutChannels: c.encoder_block_out_channels,
    decoderBlockOutChannels: c.decoder_block_out_channels,
    latentChannels: c.latent_channels,
    numEncoderBlocks: c.num_encoder_blocks,
    numDecoderBlocks: c.num_decoder_blocks,
    scalingFactor: c.scaling_factor,
  });
}
