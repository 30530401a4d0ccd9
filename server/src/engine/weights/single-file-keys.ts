// Key maps from the original CompVis / Stability single-file layout to diffusers names for the UNet and the VAE,
// generated from the diffusers configs so block counts are never hard-coded.
import { z } from 'zod';
import { type KeyPair, modulePairs, weightAndBias } from './single-file-pairs.js';

const layersPerBlock = z.number().int().positive();

export const unetLayoutConfig = z.object({
  block_out_channels: z.array(z.number().int().positive()).min(1),
  layers_per_block: layersPerBlock,
  down_block_types: z.array(z.string()),
  up_block_types: z.array(z.string()),
  mid_block_type: z.string().nullable().optional(),
  transformer_layers_per_block: z.union([z.number().int().positive(), z.array(z.number().int().positive())]).default(1),
  class_embed_type: z.null().optional(),
  addition_embed_type: z.null().optional(),
});

export const vaeLayoutConfig = z.object({
  block_out_channels: z.array(z.number().int().positive()).min(1),
  layers_per_block: layersPerBlock,
  mid_block_add_attention: z.boolean().default(true),
  use_quant_conv: z.boolean().default(true),
  use_post_quant_conv: z.boolean().default(true),
});

const UNET_RESNET: [string, string][] = [
  ['norm1', 'in_layers.0'],
  ['conv1', 'in_layers.2'],
  ['time_emb_proj', 'emb_layers.1'],
  ['norm2', 'out_layers.0'],
  ['conv2', 'out_layers.3'],
];

function unetResnet(diffusers: string, original: string): KeyPair[] {
  return [
    ...modulePairs(diffusers, original, UNET_RESNET),
    ...weightAndBias(`${diffusers}.conv_shortcut`, `${original}.skip_connection`, { optional: true }),
  ];
}

/** Transformer2DModel and the LDM SpatialTransformer share parameter names. */
function transformer(diffusers: string, original: string, depth: number): KeyPair[] {
  const pairs = ['norm', 'proj_in', 'proj_out'].flatMap((m) => weightAndBias(`${diffusers}.${m}`, `${original}.${m}`));
  for (let k = 0; k < depth; k++) {
    const block = `transformer_blocks.${k}`;
    const same = (suffix: string): KeyPair => ({ diffusers: `${diffusers}.${block}.${suffix}`, original: `${original}.${block}.${suffix}` });
    for (const m of ['norm1', 'norm2', 'norm3', 'attn1.to_out.0', 'attn2.to_out.0', 'ff.net.0.proj', 'ff.net.2']) {
      pairs.push(same(`${m}.weight`), same(`${m}.bias`));
    }
    for (const attn of ['attn1', 'attn2']) for (const p of ['to_q', 'to_k', 'to_v']) pairs.push(same(`${attn}.${p}.weight`));
  }
  return pairs;
}

export function unetKeyPairs(config: z.infer<typeof unetLayoutConfig>, prefix: string): KeyPair[] {
  const n = config.block_out_channels.length;
  const lpb = config.layers_per_block;
  const depthOf = (i: number): number => {
    const t = config.transformer_layers_per_block;
    return typeof t === 'number' ? t : (t[i] ?? t[t.length - 1]);
  };
  const pairs: KeyPair[] = [
    ...modulePairs('time_embedding', `${prefix}time_embed`, [['linear_1', '0'], ['linear_2', '2']]),
    ...weightAndBias('conv_in', `${prefix}input_blocks.0.0`),
    ...weightAndBias('conv_norm_out', `${prefix}out.0`),
    ...weightAndBias('conv_out', `${prefix}out.2`),
  ];
  for (let i = 0; i < n; i++) {
    const hasAttention = config.down_block_types[i]?.startsWith('CrossAttn') ?? false;
    for (let j = 0; j < lpb; j++) {
      const id = 1 + i * (lpb + 1) + j;
      pairs.push(...unetResnet(`down_blocks.${i}.resnets.${j}`, `${prefix}input_blocks.${id}.0`));
      if (hasAttention) pairs.push(...transformer(`down_blocks.${i}.attentions.${j}`, `${prefix}input_blocks.${id}.1`, depthOf(i)));
    }
    if (i < n - 1) {
      pairs.push(...weightAndBias(`down_blocks.${i}.downsamplers.0.conv`, `${prefix}input_blocks.${(i + 1) * (lpb + 1)}.0.op`));
    }
  }
  if (config.mid_block_type !== null) {
    pairs.push(...unetResnet('mid_block.resnets.0', `${prefix}middle_block.0`));
    pairs.push(...transformer('mid_block.attentions.0', `${prefix}middle_block.1`, depthOf(n - 1)));
    pairs.push(...unetResnet('mid_block.resnets.1', `${prefix}middle_block.2`));
  }
  for (let i = 0; i < n; i++) {
    const hasAttention = config.up_block_types[i]?.startsWith('CrossAttn') ?? false;
    for (let j = 0; j <= lpb; j++) {
      const id = i * (lpb + 1) + j;
      pairs.push(...unetResnet(`up_blocks.${i}.resnets.${j}`, `${prefix}output_blocks.${id}.0`));
      if (hasAttention) pairs.push(...transformer(`up_blocks.${i}.attentions.${j}`, `${prefix}output_blocks.${id}.1`, depthOf(n - 1 - i)));
      if (i < n - 1 && j === lpb) {
        const slot = hasAttention ? 2 : 1;
        pairs.push(...weightAndBias(`up_blocks.${i}.upsamplers.0.conv`, `${prefix}output_blocks.${id}.${slot}.conv`));
      }
    }
  }
  return pairs;
}

function vaeResnet(diffusers: string, original: string): KeyPair[] {
  return [
    ...modulePairs(diffusers, original, [['norm1', 'norm1'], ['conv1', 'conv1'], ['norm2', 'norm2'], ['conv2', 'conv2']]),
    ...weightAndBias(`${diffusers}.conv_shortcut`, `${original}.nin_shortcut`, { optional: true }),
  ];
}

function vaeMid(diffusers: string, original: string, attention: boolean): KeyPair[] {
  const pairs = [...vaeResnet(`${diffusers}.resnets.0`, `${original}.block_1`), ...vaeResnet(`${diffusers}.resnets.1`, `${original}.block_2`)];
  if (attention) {
    pairs.push(...weightAndBias(`${diffusers}.attentions.0.group_norm`, `${original}.attn_1.norm`));
    for (const [to, from] of [['to_q', 'q'], ['to_k', 'k'], ['to_v', 'v'], ['to_out.0', 'proj_out']]) {
      // The original attention uses 1x1 convs [C, C, 1, 1]; diffusers' are Linear [C, C].
      pairs.push(...weightAndBias(`${diffusers}.attentions.0.${to}`, `${original}.attn_1.${from}`, { squeeze1x1: true }));
    }
  }
  return pairs;
}

export function vaeKeyPairs(config: z.infer<typeof vaeLayoutConfig>, prefix: string): KeyPair[] {
  const n = config.block_out_channels.length;
  const lpb = config.layers_per_block;
  const pairs: KeyPair[] = [];
  for (const part of ['encoder', 'decoder']) {
    pairs.push(...weightAndBias(`${part}.conv_in`, `${prefix}${part}.conv_in`));
    pairs.push(...weightAndBias(`${part}.conv_norm_out`, `${prefix}${part}.norm_out`));
    pairs.push(...weightAndBias(`${part}.conv_out`, `${prefix}${part}.conv_out`));
    pairs.push(...vaeMid(`${part}.mid_block`, `${prefix}${part}.mid`, config.mid_block_add_attention));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < lpb; j++) pairs.push(...vaeResnet(`encoder.down_blocks.${i}.resnets.${j}`, `${prefix}encoder.down.${i}.block.${j}`));
    if (i < n - 1) pairs.push(...weightAndBias(`encoder.down_blocks.${i}.downsamplers.0.conv`, `${prefix}encoder.down.${i}.downsample.conv`));
  }
  // The original decoder numbers its up levels from the bottom; diffusers from the top.
  for (let i = 0; i < n; i++) {
    const level = n - 1 - i;
    for (let j = 0; j <= lpb; j++) pairs.push(...vaeResnet(`decoder.up_blocks.${i}.resnets.${j}`, `${prefix}decoder.up.${level}.block.${j}`));
    if (i < n - 1) pairs.push(...weightAndBias(`decoder.up_blocks.${i}.upsamplers.0.conv`, `${prefix}decoder.up.${level}.upsample.conv`));
  }
  if (config.use_quant_conv) pairs.push(...weightAndBias('quant_conv', `${prefix}quant_conv`));
  if (config.use_post_quant_conv) pairs.push(...weightAndBias('post_quant_conv', `${prefix}post_quant_conv`));
  return pairs;
}
