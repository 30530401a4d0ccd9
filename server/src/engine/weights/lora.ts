// kohya-ss / A1111 LoRA files: `lora_unet_<module path with . -> _>` and `lora_te_<...>` modules, each with
// `.lora_down.weight` [r, in(, kh, kw)], `.lora_up.weight` [out, r(, 1, 1)] and an optional scalar `.alpha`.
// Tensors stay in PyTorch layout here; lora-apply.ts maps them onto a model.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../types.js';
import { disposeWeights, SafetensorsFile } from '../safetensors/reader.js';
import { writeSafetensors } from '../safetensors/writer.js';

export type LoraTarget = 'unet' | 'text_encoder';

export const LORA_PREFIXES: Record<LoraTarget, string> = { unet: 'lora_unet_', text_encoder: 'lora_te_' };

export interface LoraModule {
  /** The kohya module name, e.g. lora_unet_down_blocks_0_attentions_0_proj_in. */
  readonly name: string;
  readonly target: LoraTarget;
  /** [r, in] or [r, in, kh, kw], PyTorch layout. */
  readonly down: tf.Tensor;
  /** [out, r] or [out, r, 1, 1], PyTorch layout. */
  readonly up: tf.Tensor;
  readonly rank: number;
  /** kohya's alpha; the delta is scaled by alpha / rank. Absent in the file means alpha = rank. */
  readonly alpha: number;
}

export interface LoraWeights {
  readonly source: string;
  readonly modules: ReadonlyMap<string, LoraModule>;
  readonly metadata: Readonly<Record<string, string>>;
  dispose(): void;
}

export class LoraError extends Error {
  override name = 'LoraError';
}

const SUFFIXES = ['.lora_down.weight', '.lora_up.weight', '.alpha'] as const;

function listSome(names: string[], limit = 5): string {
  return names.slice(0, limit).join(', ') + (names.length > limit ? `, … (${names.length} in all)` : '');
}

function splitKey(key: string): { module: string; part: (typeof SUFFIXES)[number] } | undefined {
  for (const part of SUFFIXES) if (key.endsWith(part)) return { module: key.slice(0, -part.length), part };
  return undefined;
}

function targetOf(module: string): LoraTarget | undefined {
  return (Object.keys(LORA_PREFIXES) as LoraTarget[]).find((t) => module.startsWith(LORA_PREFIXES[t]));
}

/** Groups and validates the tensors of a kohya LoRA. Takes ownership of `tensors` (disposes unused ones). */
export function parseLora(source: string, tensors: WeightMap, metadata: Record<string, string> = {}): LoraWeights {
  const groups = new Map<string, Partial<Record<(typeof SUFFIXES)[number], tf.Tensor>>>();
  const foreign: string[] = [];
  for (const [key, t] of tensors) {
    const split = splitKey(key);
    if (!split || !targetOf(split.module)) {
      foreign.push(key);
      continue;
    }
    const group = groups.get(split.module) ?? {};
    group[split.part] = t;
    groups.set(split.module, group);
  }
  const fail = (message: string): never => {
    disposeWeights(tensors);
    throw new LoraError(`${source}: ${message}`);
  };
  if (foreign.length > 0) {
    const hint = foreign.some((k) => /hada_|lokr_|lora_te[12]_|lora_A|lora\.down/.test(k))
      ? ' (LoHa/LoKr, SDXL or diffusers/PEFT LoRAs are not supported)'
      : '';
    fail(`not a kohya SD 1.x/2.x LoRA${hint}; unrecognised keys: ${listSome(foreign)}`);
  }
  if (groups.size === 0) fail('contains no LoRA modules');
  const modules = new Map<string, LoraModule>();
  for (const [name, group] of groups) {
    const { '.lora_down.weight': down, '.lora_up.weight': up, '.alpha': alphaTensor } = group;
    if (!down || !up) return fail(`module ${name} lacks its ${down ? 'lora_up' : 'lora_down'}.weight`);
    const rank = down.shape[0];
    if (!(down.rank === 2 || down.rank === 4) || !(up.rank === 2 || up.rank === 4) || up.shape[1] !== rank) {
      fail(`module ${name}: lora_down ${JSON.stringify(down.shape)} and lora_up ${JSON.stringify(up.shape)} do not share a rank`);
    }
    if (up.rank === 4 && (up.shape[2] !== 1 || up.shape[3] !== 1)) fail(`module ${name}: lora_up must be 1x1, got ${JSON.stringify(up.shape)}`);
    let alpha = rank;
    if (alphaTensor) {
      if (alphaTensor.size !== 1) fail(`module ${name}: alpha must be a scalar, got shape ${JSON.stringify(alphaTensor.shape)}`);
      alpha = alphaTensor.dataSync()[0];
      alphaTensor.dispose();
      if (!Number.isFinite(alpha)) fail(`module ${name}: alpha is ${alpha}`);
    }
    modules.set(name, { name, target: targetOf(name)!, down, up, rank, alpha });
  }
  return {
    source,
    modules,
    metadata,
    dispose: () => modules.forEach((m) => (m.down.dispose(), m.up.dispose())),
  };
}

/** Reads a kohya LoRA .safetensors file. */
export async function loadLora(path: string): Promise<LoraWeights> {
  const file = await SafetensorsFile.open(path);
  const tensors: WeightMap = new Map();
  try {
    for (const name of file.names) tensors.set(name, await file.readTensor(name));
  } catch (err) {
    disposeWeights(tensors);
    throw err;
  } finally {
    await file.close();
  }
  return parseLora(path, tensors, { ...file.metadata });
}

/** One trained LoRA module to export, named by the model's own dotted module path. */
export interface LoraModuleWeights {
  readonly target: LoraTarget;
  /** e.g. down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q (text encoder: text_model.encoder...). */
  readonly module: string;
  /** PyTorch layout, [r, in] or [r, in, kh, kw]. */
  readonly down: tf.Tensor;
  /** PyTorch layout, [out, r] or [out, r, 1, 1]. */
  readonly up: tf.Tensor;
  readonly alpha: number;
}

/** The kohya name of a model module: prefix + dotted path with every `.` turned into `_`. */
export function kohyaName(target: LoraTarget, module: string): string {
  return LORA_PREFIXES[target] + module.replaceAll('.', '_');
}

/** Writes LoRA modules as a kohya/A1111 file that A1111, ComfyUI, diffusers and loadLora read. */
export async function saveLoraKohya(path: string, modules: readonly LoraModuleWeights[], metadata: Record<string, string> = {}): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  const alphas: tf.Tensor[] = [];
  const ranks = new Set<number>();
  try {
    for (const m of modules) {
      const name = kohyaName(m.target, m.module);
      if (tensors.has(`${name}.lora_down.weight`)) throw new LoraError(`${path}: module ${m.module} (${m.target}) given twice`);
      if (m.up.shape[1] !== m.down.shape[0]) {
        throw new LoraError(`${path}: module ${m.module}: down ${JSON.stringify(m.down.shape)} and up ${JSON.stringify(m.up.shape)} ranks differ`);
      }
      ranks.add(m.down.shape[0]);
      const alpha = tf.scalar(m.alpha);
      alphas.push(alpha);
      tensors.set(`${name}.alpha`, alpha).set(`${name}.lora_down.weight`, m.down).set(`${name}.lora_up.weight`, m.up);
    }
    const info: Record<string, string> = { ss_network_module: 'networks.lora' };
    if (ranks.size === 1) info.ss_network_dim = String([...ranks][0]);
    await writeSafetensors(path, tensors, { ...info, ...metadata });
  } finally {
    alphas.forEach((a) => a.dispose());
  }
}
