// Loads the model to fine-tune (a diffusers folder, or a single-file checkpoint with its config folder) and
// records where its configs live, for writing a trained diffusers folder later.
import { stat } from 'node:fs/promises';
import { BUNDLED_SD15_CONFIG_DIR, loadStableDiffusion, type StableDiffusionModel } from '../engine/training.js';
import type { BaseModelFiles } from './export-model.js';

export interface LoadedBase {
  readonly model: StableDiffusionModel;
  readonly files: BaseModelFiles & { readonly source: string };
}

export async function loadBaseModel(
  source: string,
  opts: { configDir?: string; onProgress?: (done: number, total: number, what: string) => void; offloadUNetWeights?: boolean } = {},
): Promise<LoadedBase> {
  const isDir = (await stat(source).catch(() => undefined))?.isDirectory() ?? false;
  const configDir = isDir ? source : (opts.configDir ?? BUNDLED_SD15_CONFIG_DIR);
  // An offloaded UNet keeps no weight resident here: LoRA training reads its weights transformed (W + s·BA, a new
  // tensor packed on every pass anyway), and its backward pass needs the heap (2.2 GB peak at 512x512 on wasm).
  const model = await loadStableDiffusion(source, {
    configDir: isDir ? undefined : configDir,
    onProgress: opts.onProgress,
    offloadUNetWeights: opts.offloadUNetWeights,
    unetResidentBytes: 0,
  });
  return { model, files: { source, configDir } };
}
