// Loads a diffusers pipeline folder (model_index.json + one folder per component) into raw JSON configs and
// WeightMaps in PyTorch layout. Parsing the configs into typed objects is each model class's job.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { WeightMap } from '../types.js';
import { disposeWeights, SafetensorsFile } from '../safetensors/reader.js';
import { LazyWeightMap } from './lazy-weight-map.js';

export type JsonObject = Record<string, unknown>;

export interface ComponentWeights {
  /** The component's folder. */
  readonly dir: string;
  /** The raw config.json. */
  readonly config: JsonObject;
  /** The weight files read (one, or the shards of an index). */
  readonly weightFiles: readonly string[];
  readonly weights: WeightMap;
}

export interface StableDiffusionWeights {
  readonly modelIndex: JsonObject;
  readonly unet: ComponentWeights;
  readonly vae: ComponentWeights;
  readonly textEncoder: ComponentWeights;
  /** Folder with vocab.json and merges.txt. */
  readonly tokenizerDir: string;
  readonly schedulerConfig: JsonObject;
  /** Disposes every weight tensor. */
  dispose(): void;
}

export type WeightComponent = 'unet' | 'vae' | 'text_encoder';

/** Weight file names diffusers / transformers write, in the order tried (the fp16 variant when asked for). */
const WEIGHT_BASENAMES: Record<WeightComponent, string> = {
  unet: 'diffusion_pytorch_model',
  vae: 'diffusion_pytorch_model',
  text_encoder: 'model',
};

export interface LoadFolderOptions {
  /** Prefer `*.fp16.safetensors` (diffusers' variant files); either way the other name is the fallback. */
  variant?: 'fp16';
  /** Called after each tensor read, for progress bars. */
  onProgress?: (done: number, total: number, component: WeightComponent) => void;
  /** Keep the UNet's decoded weights in host memory until bound (a LazyWeightMap), for an offloaded UNet. */
  unetInHost?: boolean;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}


const jsonObject = z.record(z.string(), z.unknown());

/** Reads a JSON object file; a missing file or bad JSON is a WeightsError naming the path. */
export async function readJsonObject(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new WeightsError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WeightsError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = jsonObject.safeParse(raw);
  if (!parsed.success) throw new WeightsError(`${path}: expected a JSON object`);
  return parsed.data;
}

/** The safetensors file(s) of a component folder: a single file, or the shards listed in an index. */
export async function findWeightFiles(dir: string, component: WeightComponent, variant?: 'fp16'): Promise<string[]> {
  const base = WEIGHT_BASENAMES[component];
  const stems = variant === 'fp16' ? [`${base}.fp16`, base] : [base, `${base}.fp16`];
  for (const stem of stems) {
    const single = join(dir, `${stem}.safetensors`);
    if (existsSync(single)) return [single];
    const index = join(dir, `${stem}.safetensors.index.json`);
    if (existsSync(index)) return shardsOf(index, dir);
  }
  for (const bin of [join(dir, `${base}.bin`), join(dir, 'pytorch_model.bin')]) {
    if (existsSync(bin)) {
      throw new WeightsError(`${bin}: PyTorch pickle weights are not supported; convert the model to safetensors`);
    }
  }
  throw new WeightsError(`${join(dir, `${base}.safetensors`)}: missing (no ${component} weights in ${dir})`);
}

async function shardsOf(indexPath: string, dir: string): Promise<string[]> {
  const index = await readJsonObject(indexPath);
  const map = z.record(z.string(), z.string()).safeParse(index.weight_map);
  if (!map.success) throw new WeightsError(`${indexPath}: weight_map must map tensor names to file names`);
  return [...new Set(Object.values(map.data))].map((file) => join(dir, file));
}

async function countTensors(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of files) {
    const file = await SafetensorsFile.open(path);
    total += file.entries.size;
    await file.close();
  }
  return total;
}

/** Loads one component folder (`unet/`, `vae/`, `text_encoder/`) of a diffusers folder. */
export async function loadComponent(
  root: string,
  component: WeightComponent,
  opts: LoadFolderOptions = {},
): Promise<ComponentWeights> {
  const dir = join(root, component);
  const config = await readJsonObject(join(dir, 'config.json'));
  const weightFiles = await findWeightFiles(dir, component, opts.variant);
  const total = opts.onProgress ? await countTensors(weightFiles) : 0;
  const inHost = component === 'unet' && opts.unetInHost === true;
  const weights: WeightMap = inHost ? new LazyWeightMap() : new Map();
  try {
    for (const path of weightFiles) {
      const file = await SafetensorsFile.open(path);
      try {
        for (const name of file.entries.keys()) {
          // Buffers older transformers wrote into the file; they are not parameters.
          if (name.endsWith('.position_ids')) continue;
          if (weights instanceof LazyWeightMap) weights.defineDecoded(name, await file.readDecoded(name));
          else weights.set(name, await file.readTensor(name));
          opts.onProgress?.(weights.size, total, component);
        }
      } finally {
        await file.close();
      }
    }
  } catch (err) {
    disposeWeights(weights);
    throw err;
  }
  return { dir, config, weightFiles, weights };
}

/** Loads a whole Stable Diffusion diffusers folder; any missing file is a WeightsError naming its path. */
export async function loadDiffusersFolder(root: string, opts: LoadFolderOptions = {}): Promise<StableDiffusionWeights> {
  const modelIndex = await readJsonObject(join(root, 'model_index.json'));
  const schedulerConfig = await readJsonObject(join(root, 'scheduler', 'scheduler_config.json'));
  const tokenizerDir = join(root, 'tokenizer');
  for (const file of ['vocab.json', 'merges.txt']) {
    if (!existsSync(join(tokenizerDir, file))) throw new WeightsError(`${join(tokenizerDir, file)}: missing`);
  }
  const loaded: ComponentWeights[] = [];
  try {
    for (const component of ['text_encoder', 'unet', 'vae'] as const) loaded.push(await loadComponent(root, component, opts));
  } catch (err) {
    for (const c of loaded) disposeWeights(c.weights);
    throw err;
  }
  const [textEncoder, unet, vae] = loaded;
  return {
    modelIndex,
    unet,
    vae,
    textEncoder,
    tokenizerDir,
    schedulerConfig,
    dispose: () => loaded.forEach((c) => disposeWeights(c.weights)),
  };
}
