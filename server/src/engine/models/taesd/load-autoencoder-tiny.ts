// A TAESD folder in diffusers' layout (`config.json` + `diffusion_pytorch_model.safetensors`, e.g. madebyollin/taesd).
import path from 'node:path';
import { disposeWeights, loadSafetensors } from '../../safetensors/reader.js';
import { findWeightFiles, readJsonObject, WeightsError } from '../../weights/diffusers-folder.js';
import type { WeightMap } from '../../types.js';
import { AutoencoderTiny } from './autoencoder-tiny.js';
import { parseAutoencoderTinyConfig } from './taesd-config.js';

export async function loadAutoencoderTiny(dir: string): Promise<AutoencoderTiny> {
  const config = await readJsonObject(path.join(dir, 'config.json'));
  if (config._class_name !== undefined && config._class_name !== 'AutoencoderTiny') {
    throw new WeightsError(`${dir}: expected an AutoencoderTiny (TAESD) folder, config.json says ${JSON.stringify(config._class_name)}`);
  }
  const weights: WeightMap = new Map();
  try {
    for (const file of await findWeightFiles(dir, 'vae')) for (const [name, t] of await loadSafetensors(file)) weights.set(name, t);
    return new AutoencoderTiny(parseAutoencoderTinyConfig(config), weights);
  } finally {
    disposeWeights(weights);
  }
}
