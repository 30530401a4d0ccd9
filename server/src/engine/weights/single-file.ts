// Loads an original single-file Stable Diffusion checkpoint (CompVis / A1111 / Stability layout) as the same
// WeightMaps a diffusers folder gives, with configs, tokenizer and scheduler taken from a diffusers config folder.
import { extname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { WeightMap } from '../types.js';
import { disposeWeights, SafetensorsFile } from '../safetensors/reader.js';
import { readJsonObject, WeightsError, type ComponentWeights, type JsonObject, type StableDiffusionWeights } from './diffusers-folder.js';
import { LazyWeightMap } from './lazy-weight-map.js';
import type { KeyPair } from './single-file-pairs.js';
import { unetKeyPairs, unetLayoutConfig, vaeKeyPairs, vaeLayoutConfig } from './single-file-keys.js';
import { detectTextEncoderLayout, textKeyMap, textLayoutConfig } from './single-file-text.js';

const UNET_PREFIX = 'model.diffusion_model.';
const VAE_PREFIX = 'first_stage_model.';
const TEXT_PREFIX = 'cond_stage_model.';

export interface SingleFileOptions {
  /** Called after each tensor read, for progress bars. */
  onProgress?: (done: number, total: number) => void;
  /** Keep the UNet's decoded weights in host memory until bound (a LazyWeightMap), for an offloaded UNet. */
  unetInHost?: boolean;
}

function parseLayout<T extends z.ZodType>(schema: T, config: JsonObject, path: string): z.infer<T> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WeightsError(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

function listSome(names: string[], limit = 8): string {
  return names.slice(0, limit).join(', ') + (names.length > limit ? `, … (${names.length} in all)` : '');
}

interface Plan {
  unet: KeyPair[];
  vae: KeyPair[];
  text: KeyPair[];
}

/** Builds the key map and checks it against the file's keys: every required key present, nothing unexplained. */
function plan(path: string, file: SafetensorsFile, configs: { unet: JsonObject; vae: JsonObject; text: JsonObject }, configDir: string): Plan {
  const has = (key: string) => file.entries.has(key);
  if (file.names.some((k) => k.startsWith('conditioner.embedders.'))) {
    throw new WeightsError(`${path}: an SDXL checkpoint (conditioner.embedders.*); only SD 1.x / 2.x single files are supported`);
  }
  const layout = detectTextEncoderLayout(has);
  if (!layout) throw new WeightsError(`${path}: no text encoder found (expected cond_stage_model.transformer.* or cond_stage_model.model.*)`);
  const unet = unetKeyPairs(parseLayout(unetLayoutConfig, configs.unet, join(configDir, 'unet', 'config.json')), UNET_PREFIX);
  const vae = vaeKeyPairs(parseLayout(vaeLayoutConfig, configs.vae, join(configDir, 'vae', 'config.json')), VAE_PREFIX);
  const text = textKeyMap(layout, parseLayout(textLayoutConfig, configs.text, join(configDir, 'text_encoder', 'config.json')));

  const all = [...unet, ...vae, ...text.pairs];
  const missing = all.filter((p) => !p.optional && !has(p.original)).map((p) => `${p.diffusers} (${p.original})`);
  if (missing.length > 0) {
    throw new WeightsError(`${path}: checkpoint does not fit the config in ${configDir}; missing ${missing.length} tensors: ${listSome(missing)}`);
  }
  const used = new Set(all.map((p) => p.original));
  const unexplained = file.names.filter(
    (k) =>
      !used.has(k) &&
      (k.startsWith(UNET_PREFIX) || (k.startsWith(VAE_PREFIX) && !k.startsWith(`${VAE_PREFIX}loss.`)) || (k.startsWith(TEXT_PREFIX) && !text.ignore(k))),
  );
  if (unexplained.length > 0) {
    throw new WeightsError(
      `${path}: checkpoint does not fit the config in ${configDir} (another architecture?); ${unexplained.length} tensors have no place: ${listSome(unexplained)}`,
    );
  }
  return { unet, vae, text: text.pairs };
}

async function readPairs(file: SafetensorsFile, pairs: KeyPair[], progress: () => void, inHost = false): Promise<WeightMap> {
  const weights: WeightMap = inHost ? new LazyWeightMap() : new Map();
  try {
    for (const pair of pairs) {
      if (!file.entries.has(pair.original)) continue; // optional and absent (checked in plan)
      if (weights instanceof LazyWeightMap) {
        weights.defineDecoded(pair.diffusers, await file.readDecoded(pair.original), pair.convert);
      } else {
        const stored: tf.Tensor = await file.readTensor(pair.original);
        weights.set(pair.diffusers, pair.convert ? pair.convert(stored) : stored);
      }
      progress();
    }
    return weights;
  } catch (err) {
    disposeWeights(weights);
    throw err;
  }
}

/**
 * Converts a single-file checkpoint using the diffusers configs in `configDir` (its unet/, vae/, text_encoder/
 * config.json, tokenizer/ and scheduler/ are used as they are). Only .safetensors files are read.
 */
export async function loadSingleFile(path: string, configDir: string, opts: SingleFileOptions = {}): Promise<StableDiffusionWeights> {
  if (extname(path).toLowerCase() !== '.safetensors') {
    throw new WeightsError(`${path}: only .safetensors checkpoints are supported (pickled .ckpt files can run code); convert it first`);
  }
  const [modelIndex, schedulerConfig, unetConfig, vaeConfig, textConfig] = await Promise.all([
    readJsonObject(join(configDir, 'model_index.json')),
    readJsonObject(join(configDir, 'scheduler', 'scheduler_config.json')),
    readJsonObject(join(configDir, 'unet', 'config.json')),
    readJsonObject(join(configDir, 'vae', 'config.json')),
    readJsonObject(join(configDir, 'text_encoder', 'config.json')),
  ]);
  const file = await SafetensorsFile.open(path);
  const loaded: WeightMap[] = [];
  try {
    const p = plan(path, file, { unet: unetConfig, vae: vaeConfig, text: textConfig }, configDir);
    const total = [p.unet, p.vae, p.text].reduce((n, pairs) => n + pairs.filter((x) => file.entries.has(x.original)).length, 0);
    let done = 0;
    const progress = () => opts.onProgress?.(++done, total);
    for (const pairs of [p.text, p.unet, p.vae]) loaded.push(await readPairs(file, pairs, progress, pairs === p.unet && opts.unetInHost === true));
  } catch (err) {
    loaded.forEach(disposeWeights);
    throw err;
  } finally {
    await file.close();
  }
  const [textWeights, unetWeights, vaeWeights] = loaded;
  const component = (name: string, config: JsonObject, weights: WeightMap): ComponentWeights => ({
    dir: join(configDir, name),
    config,
    weightFiles: [path],
    weights,
  });
  return {
    modelIndex,
    unet: component('unet', unetConfig, unetWeights),
    vae: component('vae', vaeConfig, vaeWeights),
    textEncoder: component('text_encoder', textConfig, textWeights),
    tokenizerDir: join(configDir, 'tokenizer'),
    schedulerConfig,
    dispose: () => loaded.forEach(disposeWeights),
  };
}
