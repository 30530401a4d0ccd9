// CatVTON's published weights (`<version>/attention/model.safetensors`) replace only the self-attention
// (attn1) projections of an SD 1.5 inpainting UNet; cross-attention is left as it is.
//
// Licence: CatVTON's weights are CC BY-NC-SA 4.0 (non-commercial). Loading them is the user's choice; the
// result carries a warning saying so.
//
// The file is the state dict of a torch ModuleList holding every module whose name contains "attn1", in
// the UNet's module order (down blocks, up blocks, mid block — diffusers registers up_blocks before
// mid_block). Each attn1 contributes several entries (the Attention itself, then to_q, to_k, to_v, to_out,
// to_out.0, ...), so its parameters appear under the Attention's own index (`8.to_q.weight`) and, where
// the writer kept them, again under the child modules' indices (`9.weight`). Diffusers-named keys
// (`...attn1.to_q.weight`) are accepted too.
import * as tf from '@tensorflow/tfjs-core';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadSafetensors, disposeWeights, type WeightMap } from '../../../engine/index.js';
import { TryOnError } from '../../errors.js';

export const CATVTON_LICENCE_WARNING =
  "CatVTON attention weights are licensed CC BY-NC-SA 4.0: results made with them are for non-commercial use only";

const PARTS = ['to_q.weight', 'to_k.weight', 'to_v.weight', 'to_out.0.weight', 'to_out.0.bias'] as const;

/** diffusers module order of the UNet's attn1 blocks: down blocks, up blocks, then the mid block. */
export function attn1ModulesInOrder(parameterNames: Iterable<string>): string[] {
  const modules = new Set<string>();
  for (const name of parameterNames) {
    const at = name.indexOf('.attn1.');
    if (at >= 0) modules.add(name.slice(0, at + '.attn1'.length));
  }
  const rank = (m: string): number[] => {
    const top = m.startsWith('down_blocks') ? 0 : m.startsWith('up_blocks') ? 1 : 2;
    return [top, ...(m.match(/\d+/g) ?? []).map(Number)];
  };
  return [...modules].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < Math.max(ra.length, rb.length); i++) if ((ra[i] ?? -1) !== (rb[i] ?? -1)) return (ra[i] ?? -1) - (rb[i] ?? -1);
    return 0;
  });
}

/** Where the five tensors of attn1 block `b` sit in a ModuleList state dict with `stride` entries per block. */
function moduleListKeys(b: number, stride: number): Record<(typeof PARTS)[number], string[]> {
  const base = b * stride;
  return {
    'to_q.weight': [`${base}.to_q.weight`, `${base + 1}.weight`],
    'to_k.weight': [`${base}.to_k.weight`, `${base + 2}.weight`],
    'to_v.weight': [`${base}.to_v.weight`, `${base + 3}.weight`],
    'to_out.0.weight': [`${base}.to_out.0.weight`, `${base + 4}.0.weight`, `${base + 5}.weight`],
    'to_out.0.bias': [`${base}.to_out.0.bias`, `${base + 4}.0.bias`, `${base + 5}.bias`],
  };
}

/**
 * Entries per attn1 in the ModuleList: the distance between consecutive Attention entries (`N.to_q.weight`)
 * or to_out lists (`N.0.weight`); a lone block falls back to the count of indices.
 */
function moduleStride(weights: WeightMap, blocks: number): number {
  for (const pattern of [/^(\d+)\.to_q\.weight$/, /^(\d+)\.0\.weight$/]) {
    const indices = [...weights.keys()].map((k) => pattern.exec(k)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
    if (indices.length === blocks && blocks > 1) return indices[1] - indices[0];
  }
  const top = Math.max(-1, ...[...weights.keys()].map((k) => Number(/^(\d+)\./.exec(k)?.[1] ?? -1)));
  return (top + 1) / blocks;
}

/** The model.safetensors inside a CatVTON folder (`attention/`, or a version folder holding it), or the file itself. */
export async function resolveCatvtonFile(p: string): Promise<string> {
  const candidates = [p, path.join(p, 'model.safetensors'), path.join(p, 'attention', 'model.safetensors')];
  for (const versionDir of ['mix-48k-1024', 'vitonhd-16k-512', 'dresscode-16k-512']) {
    candidates.push(path.join(p, versionDir, 'attention', 'model.safetensors'));
  }
  for (const c of candidates) {
    const s = await stat(c).catch(() => undefined);
    if (s?.isFile()) return c;
  }
  throw new TryOnError('MODEL_MISSING', `no CatVTON attention weights at ${p} (looked for attention/model.safetensors)`);
}

/**
 * Overwrites the UNet's attn1 projections with CatVTON's, in place. Every block must be found with the
 * right shape, or nothing is changed and the error names the first missing or mismatched key.
 */
export async function loadCatvtonAttention(unetParameters: Map<string, tf.Variable>, file: string): Promise<number> {
  const weights = await loadSafetensors(file);
  try {
    const blocks = attn1ModulesInOrder(unetParameters.keys());
    if (blocks.length === 0) throw new TryOnError('MODEL_MISSING', 'this UNet has no self-attention (attn1) blocks');
    const named = [...weights.keys()].some((k) => k.includes('.attn1.'));
    const stride = named ? 0 : moduleStride(weights, blocks.length);
    if (!named && (!Number.isInteger(stride) || stride < 1)) {
      throw new TryOnError(
        'MODEL_MISSING',
        `${file}: its ${weights.size} tensors do not split into this UNet's ${blocks.length} attn1 blocks: weights for another UNet?`,
      );
    }
    const updates: [tf.Variable, tf.Tensor][] = [];
    blocks.forEach((block, b) => {
      const keys = named ? null : moduleListKeys(b, stride);
      for (const part of PARTS) {
        const target = unetParameters.get(`${block}.${part}`);
        if (!target) throw new TryOnError('MODEL_MISSING', `UNet has no parameter ${block}.${part}`);
        const candidates = named ? [...weights.keys()].filter((k) => k.endsWith(`${block}.${part}`)) : keys![part];
        const key = candidates.find((k) => weights.has(k));
        if (!key) throw new TryOnError('MODEL_MISSING', `${file}: no tensor for ${block}.${part} (looked for ${candidates.join(', ')})`);
        const source = weights.get(key)!;
        const expected = part.endsWith('.weight') ? [target.shape[1], target.shape[0]] : target.shape;
        if (source.shape.join(',') !== expected.join(',')) {
          throw new TryOnError('MODEL_MISSING', `${file}: ${key} has shape [${source.shape}], ${block}.${part} needs [${expected}]`);
        }
        updates.push([target, source]);
      }
    });
    // Linear weights are stored [out, in]; the engine computes with [in, out].
    for (const [target, source] of updates) {
      tf.tidy(() => target.assign(source.rank === 2 ? tf.transpose(source) : source));
    }
    return blocks.length;
  } finally {
    disposeWeights(weights);
  }
}
