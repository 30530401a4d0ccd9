// LoRA files in the three formats SD 1.x/2.x LoRAs come in, read into one form (kohya module names):
// - kohya-ss / A1111: `lora_unet_<module path, . -> _>` / `lora_te_<...>` with `.lora_down.weight`, `.lora_up.weight`
//   and an optional scalar `.alpha`;
// - diffusers: `unet.<module>.lora.down|up.weight`, `text_encoder.<module>.lora_linear_layer.down|up.weight` (older
//   files: `unet.<block>.processor.to_q_lora.down.weight`), alpha = rank unless `<module>.alpha` is stored;
// - PEFT: `<prefix><module>.lora_A|lora_B.weight` (prefix `unet.`, `text_encoder.`, `base_model.model.`), alpha from the
//   file's adapter metadata when present.
// down is [r, in] or [r, in, kh, kw], up [out, r] or [out, r, 1, 1] (PyTorch layout); lora-apply.ts maps them onto a model.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../types.js';
import { disposeWeights, SafetensorsFile } from '../safetensors/reader.js';
import { writeSafetensors } from '../safetensors/writer.js';

export type LoraTarget = 'unet' | 'text_encoder';
export type LoraFormat = 'kohya' | 'diffusers' | 'peft';

export const LORA_PREFIXES: Record<LoraTarget, string> = { unet: 'lora_unet_', text_encoder: 'lora_te_' };

export interface LoraModule {
  /** The kohya module name, e.g. lora_unet_down_blocks_0_attentions_0_proj_in (whatever the file's format). */
  readonly name: string;
  readonly target: LoraTarget;
  /** [r, in] or [r, in, kh, kw], PyTorch layout. */
  readonly down: tf.Tensor;
  /** [out, r] or [out, r, 1, 1], PyTorch layout. */
  readonly up: tf.Tensor;
  readonly rank: number;
  /** The delta is scaled by alpha / rank. Absent from the file means alpha = rank. */
  readonly alpha: number;
}

export interface LoraWeights {
  readonly source: string;
  /** The file format that was detected. */
  readonly format: LoraFormat;
  readonly modules: ReadonlyMap<string, LoraModule>;
  readonly metadata: Readonly<Record<string, string>>;
  dispose(): void;
}

export class LoraError extends Error {
  override name = 'LoraError';
}

type Part = 'down' | 'up' | 'alpha';

/** One tensor of a LoRA file: which module (kohya name), which part. */
interface KeyInfo {
  readonly module: string;
  readonly target: LoraTarget;
  readonly part: Part;
}

function listSome(names: string[], limit = 5): string {
  return names.slice(0, limit).join(', ') + (names.length > limit ? `, … (${names.length} in all)` : '');
}

function targetOf(module: string): LoraTarget | undefined {
  return (Object.keys(LORA_PREFIXES) as LoraTarget[]).find((t) => module.startsWith(LORA_PREFIXES[t]));
}

const KOHYA_SUFFIXES: [string, Part][] = [['.lora_down.weight', 'down'], ['.lora_up.weight', 'up'], ['.alpha', 'alpha']];
const DIFFUSERS_SUFFIXES: [string, Part][] = [
  ['.lora.down.weight', 'down'],
  ['.lora.up.weight', 'up'],
  ['.lora_linear_layer.down.weight', 'down'],
  ['.lora_linear_layer.up.weight', 'up'],
  ['.alpha', 'alpha'],
];
const PEFT_SUFFIXES: [string, Part][] = [['.lora_A.weight', 'down'], ['.lora_B.weight', 'up'], ['.alpha', 'alpha']];

function splitSuffix(key: string, suffixes: readonly [string, Part][]): { stem: string; part: Part } | undefined {
  for (const [suffix, part] of suffixes) if (key.endsWith(suffix)) return { stem: key.slice(0, -suffix.length), part };
  return undefined;
}

/** `unet.x`, `text_encoder.x`, or a bare PEFT model (`base_model.model.x`: the text encoder when x is `text_model.…`). */
function modelAndPath(stem: string): { target: LoraTarget; path: string } | undefined {
  if (stem.startsWith('unet.')) return { target: 'unet', path: stem.slice('unet.'.length) };
  if (stem.startsWith('text_encoder.')) return { target: 'text_encoder', path: stem.slice('text_encoder.'.length) };
  if (stem.startsWith('base_model.model.')) {
    const path = stem.slice('base_model.model.'.length);
    return { target: path.startsWith('text_model.') ? 'text_encoder' : 'unet', path };
  }
  return undefined;
}

/** Older diffusers attention-processor keys: `attn1.processor.to_q_lora` → `attn1.to_q`, `to_out_lora` → `to_out.0`. */
function processorPath(path: string): string {
  return path.replace(/\.processor\.(to_[qkv])_lora$/, '.$1').replace(/\.processor\.to_out_lora$/, '.to_out.0');
}

const KEY_PARSERS: Record<LoraFormat, (key: string) => KeyInfo | undefined> = {
  kohya: (key) => {
    const split = splitSuffix(key, KOHYA_SUFFIXES);
    const target = split && targetOf(split.stem);
    return split && target ? { module: split.stem, target, part: split.part } : undefined;
  },
  diffusers: (key) => {
    const split = splitSuffix(key, DIFFUSERS_SUFFIXES);
    const where = split && modelAndPath(split.stem);
    return split && where ? { module: kohyaName(where.target, processorPath(where.path)), target: where.target, part: split.part } : undefined;
  },
  peft: (key) => {
    const split = splitSuffix(key, PEFT_SUFFIXES);
    const where = split && modelAndPath(split.stem);
    return split && where ? { module: kohyaName(where.target, where.path), target: where.target, part: split.part } : undefined;
  },
};

/** The format whose key pattern the file's LoRA tensors follow (by the tell-tale suffixes). */
function detectFormat(keys: readonly string[]): LoraFormat {
  if (keys.some((k) => /\.lora_[AB]\.weight$/.test(k))) return 'peft';
  if (keys.some((k) => /\.lora(_linear_layer)?\.(down|up)\.weight$/.test(k))) return 'diffusers';
  return 'kohya';
}

/** PEFT's alpha: adapter metadata (`lora_adapter_metadata` JSON, diffusers ≥ 0.34) or a plain `lora_alpha` entry. */
function metadataAlpha(metadata: Record<string, string>, target: LoraTarget): number | undefined {
  const read = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  try {
    const adapter = metadata.lora_adapter_metadata ? (JSON.parse(metadata.lora_adapter_metadata) as Record<string, unknown>) : {};
    const perTarget = adapter[target] as Record<string, unknown> | undefined;
    return read(adapter[`${target}.lora_alpha`]) ?? read(perTarget?.lora_alpha) ?? read(adapter.lora_alpha) ?? read(Number(metadata.lora_alpha));
  } catch {
    return read(Number(metadata.lora_alpha));
  }
}

/** Groups and validates the tensors of a LoRA in any of the three formats. Takes ownership of `tensors`. */
export async function parseLora(source: string, tensors: WeightMap, metadata: Record<string, string> = {}): Promise<LoraWeights> {
  const format = detectFormat([...tensors.keys()]);
  const parse = KEY_PARSERS[format];
  const groups = new Map<string, { target: LoraTarget } & Partial<Record<Part, tf.Tensor>>>();
  const foreign: string[] = [];
  for (const [key, t] of tensors) {
    const info = parse(key);
    if (!info) {
      foreign.push(key);
      continue;
    }
    const group = groups.get(info.module) ?? { target: info.target };
    group[info.part] = t;
    groups.set(info.module, group);
  }
  const fail = (message: string): never => {
    disposeWeights(tensors);
    throw new LoraError(`${source}: ${message}`);
  };
  if (foreign.length > 0) {
    const hint = foreign.some((k) => /hada_|lokr_|lora_te[12]_|^transformer\.|text_encoder_2\.|add_embedding/.test(k))
      ? ' (LoHa/LoKr, SDXL and transformer-model LoRAs are not supported)'
      : '';
    fail(`not an SD 1.x/2.x LoRA in ${format} format${hint}; the first key that does not map: ${foreign[0]} (unrecognised: ${listSome(foreign)})`);
  }
  if (groups.size === 0) fail('contains no LoRA modules');
  const modules = new Map<string, LoraModule>();
  for (const [name, group] of groups) {
    const { down, up, alpha: alphaTensor } = group;
    if (!down || !up) return fail(`module ${name} lacks its ${down ? 'up' : 'down'} weight (${format} format)`);
    const rank = down.shape[0];
    if (!(down.rank === 2 || down.rank === 4) || !(up.rank === 2 || up.rank === 4) || up.shape[1] !== rank) {
      fail(`module ${name}: down ${JSON.stringify(down.shape)} and up ${JSON.stringify(up.shape)} do not share a rank`);
    }
    if (up.rank === 4 && (up.shape[2] !== 1 || up.shape[3] !== 1)) fail(`module ${name}: the up weight must be 1x1, got ${JSON.stringify(up.shape)}`);
    let alpha = (format === 'peft' ? metadataAlpha(metadata, group.target) : undefined) ?? rank;
    if (alphaTensor) {
      if (alphaTensor.size !== 1) fail(`module ${name}: alpha must be a scalar, got shape ${JSON.stringify(alphaTensor.shape)}`);
      alpha = (await alphaTensor.data())[0];
      alphaTensor.dispose();
      if (!Number.isFinite(alpha)) fail(`module ${name}: alpha is ${alpha}`);
    }
    modules.set(name, { name, target: group.target, down, up, rank, alpha });
  }
  return {
    source,
    format,
    modules,
    metadata,
    dispose: () => modules.forEach((m) => (m.down.dispose(), m.up.dispose())),
  };
}

/** Reads a LoRA .safetensors file (kohya, diffusers or PEFT format). */
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
