// Key maps for the text encoder of a single-file checkpoint: SD 1.x stores a transformers CLIPTextModel
// under cond_stage_model.transformer.*, SD 2.x an OpenCLIP model under cond_stage_model.model.* whose fused
// q/k/v projection is split here into transformers' three.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { type KeyPair, weightAndBias } from './single-file-pairs.js';

export const textLayoutConfig = z.object({ num_hidden_layers: z.number().int().positive() });

export type TextEncoderLayout = 'clip' | 'clip-legacy' | 'openclip';

export function detectTextEncoderLayout(has: (key: string) => boolean): TextEncoderLayout | undefined {
  if (has('cond_stage_model.transformer.text_model.embeddings.token_embedding.weight')) return 'clip';
  if (has('cond_stage_model.transformer.embeddings.token_embedding.weight')) return 'clip-legacy';
  if (has('cond_stage_model.model.token_embedding.weight')) return 'openclip';
  return undefined;
}

const LAYER_MODULES = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'layer_norm1', 'layer_norm2', 'mlp.fc1', 'mlp.fc2'];

/** transformers names, in the same layout under a prefix (SD 1.x). */
function clipPairs(layers: number, prefix: string): KeyPair[] {
  const same = (name: string): KeyPair => ({ diffusers: `text_model.${name}`, original: `${prefix}${name}` });
  const pairs = [same('embeddings.token_embedding.weight'), same('embeddings.position_embedding.weight')];
  for (let l = 0; l < layers; l++) {
    for (const m of LAYER_MODULES) pairs.push(same(`encoder.layers.${l}.${m}.weight`), same(`encoder.layers.${l}.${m}.bias`));
  }
  pairs.push(same('final_layer_norm.weight'), same('final_layer_norm.bias'));
  return pairs;
}

/** Part `index` of 3 equal slices along dim 0 (OpenCLIP's in_proj = [q; k; v]). */
function sliceOfThree(index: number): (t: tf.Tensor) => tf.Tensor {
  return (t) => {
    const rows = t.shape[0] / 3;
    const out = tf.slice(t, index * rows, rows);
    t.dispose();
    return out;
  };
}

function openClipPairs(layers: number, prefix: string): KeyPair[] {
  const pairs: KeyPair[] = [
    { diffusers: 'text_model.embeddings.token_embedding.weight', original: `${prefix}token_embedding.weight` },
    { diffusers: 'text_model.embeddings.position_embedding.weight', original: `${prefix}positional_embedding` },
  ];
  for (let l = 0; l < layers; l++) {
    const to = `text_model.encoder.layers.${l}`;
    const from = `${prefix}transformer.resblocks.${l}`;
    ['q_proj', 'k_proj', 'v_proj'].forEach((proj, index) => {
      pairs.push({ diffusers: `${to}.self_attn.${proj}.weight`, original: `${from}.attn.in_proj_weight`, convert: sliceOfThree(index) });
      pairs.push({ diffusers: `${to}.self_attn.${proj}.bias`, original: `${from}.attn.in_proj_bias`, convert: sliceOfThree(index) });
    });
    pairs.push(
      ...weightAndBias(`${to}.self_attn.out_proj`, `${from}.attn.out_proj`),
      ...weightAndBias(`${to}.layer_norm1`, `${from}.ln_1`),
      ...weightAndBias(`${to}.layer_norm2`, `${from}.ln_2`),
      ...weightAndBias(`${to}.mlp.fc1`, `${from}.mlp.c_fc`),
      ...weightAndBias(`${to}.mlp.fc2`, `${from}.mlp.c_proj`),
    );
  }
  pairs.push(...weightAndBias('text_model.final_layer_norm', `${prefix}ln_final`));
  return pairs;
}

export interface TextKeyMap {
  readonly pairs: KeyPair[];
  /** Original keys under the text encoder's prefix that are deliberately not converted. */
  readonly ignore: (key: string) => boolean;
}

export function textKeyMap(layout: TextEncoderLayout, config: z.infer<typeof textLayoutConfig>): TextKeyMap {
  const layers = config.num_hidden_layers;
  switch (layout) {
    case 'clip':
      return { pairs: clipPairs(layers, 'cond_stage_model.transformer.text_model.'), ignore: (k) => k.endsWith('.position_ids') };
    case 'clip-legacy':
      return { pairs: clipPairs(layers, 'cond_stage_model.transformer.'), ignore: (k) => k.endsWith('.position_ids') };
    case 'openclip': {
      // SD 2.x uses the penultimate layer: diffusers' config has one layer fewer than the file, and the
      // projection head is not part of CLIPTextModel.
      const resblock = /^cond_stage_model\.model\.transformer\.resblocks\.(\d+)\./;
      return {
        pairs: openClipPairs(layers, 'cond_stage_model.model.'),
        ignore: (k) => {
          const m = resblock.exec(k);
          if (m) return Number(m[1]) >= layers;
          return /^cond_stage_model\.model\.(text_projection|logit_scale|visual\.)/.test(k) || k.endsWith('.attn_mask');
        },
      };
    }
  }
}
