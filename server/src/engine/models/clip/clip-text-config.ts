// transformers' CLIPTextConfig, as stored in a Stable Diffusion folder's text_encoder/config.json.
import { z } from 'zod';
import { deepFreeze, parseConfig } from '../layers/config-parsing.js';

const positiveInt = z.number().int().positive();

const schema = z
  .object({
    vocab_size: positiveInt.default(49408),
    hidden_size: positiveInt.default(512),
    intermediate_size: positiveInt.default(2048),
    num_hidden_layers: positiveInt.default(12),
    num_attention_heads: positiveInt.default(8),
    max_position_embeddings: positiveInt.default(77),
    hidden_act: z.enum(['quick_gelu', 'gelu']).default('quick_gelu'),
    layer_norm_eps: z.number().positive().default(1e-5),
    eos_token_id: z.number().int().default(2),
  })
  .refine((c) => c.hidden_size % c.num_attention_heads === 0, {
    message: 'hidden_size must be a multiple of num_attention_heads',
    path: ['hidden_size'],
  });

export interface CLIPTextConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly maxPositionEmbeddings: number;
  readonly hiddenAct: 'quick_gelu' | 'gelu';
  readonly layerNormEps: number;
  /** 2 in the original CLIP configs: transformers then pools at argmax(input_ids) (the end token's id is the largest). */
  readonly eosTokenId: number;
}

/** Parses text_encoder/config.json (a full CLIPConfig's `text_config` is accepted too). */
export function parseCLIPTextConfig(json: unknown): CLIPTextConfig {
  const source =
    json !== null && typeof json === 'object' && 'text_config' in json ? (json as { text_config: unknown }).text_config : json;
  const c = parseConfig(schema, source, 'CLIPTextModel');
  return deepFreeze({
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    maxPositionEmbeddings: c.max_position_embeddings,
    hiddenAct: c.hidden_act,
    layerNormEps: c.layer_norm_eps,
    eosTokenId: c.eos_token_id,
  });
}
