// transformers' CLIPVisionConfig, as stored in an IP-Adapter image encoder's config.json (or a CLIPConfig's
// `vision_config`), with the projection width of CLIPVisionModelWithProjection.
import { z } from 'zod';
import { deepFreeze, parseConfig } from '../layers/config-parsing.js';
import type { CLIPEncoderConfig } from './clip-encoder-layer.js';

const positiveInt = z.number().int().positive();

const schema = z
  .object({
    hidden_size: positiveInt.default(768),
    intermediate_size: positiveInt.default(3072),
    num_hidden_layers: positiveInt.default(12),
    num_attention_heads: positiveInt.default(12),
    num_channels: positiveInt.default(3),
    image_size: positiveInt.default(224),
    patch_size: positiveInt.default(32),
    projection_dim: positiveInt.default(512),
    hidden_act: z.enum(['quick_gelu', 'gelu']).default('quick_gelu'),
    layer_norm_eps: z.number().positive().default(1e-5),
  })
  .refine((c) => c.hidden_size % c.num_attention_heads === 0, { message: 'hidden_size must be a multiple of num_attention_heads', path: ['hidden_size'] })
  .refine((c) => c.image_size % c.patch_size === 0, { message: 'image_size must be a multiple of patch_size', path: ['image_size'] });

export interface CLIPVisionConfig extends CLIPEncoderConfig {
  readonly numHiddenLayers: number;
  readonly numChannels: number;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly projectionDim: number;
}

export function parseCLIPVisionConfig(json: unknown): CLIPVisionConfig {
  const source = json !== null && typeof json === 'object' && 'vision_config' in json ? (json as { vision_config: unknown }).vision_config : json;
  const c = parseConfig(schema, source, 'CLIPVisionModelWithProjection');
  return deepFreeze({
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    numChannels: c.num_channels,
    imageSize: c.image_size,
    patchSize: c.patch_size,
    projectionDim: c.projection_dim,
    hiddenAct: c.hidden_act,
    layerNormEps: c.layer_norm_eps,
  });
}
