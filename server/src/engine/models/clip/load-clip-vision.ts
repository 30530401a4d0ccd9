// An image encoder folder in transformers' layout (`config.json` + `model.safetensors`, F32 or F16), as IP-Adapter's
// repository ships it (`models/image_encoder`).
import path from 'node:path';
import { disposeWeights, loadSafetensors } from '../../safetensors/reader.js';
import type { WeightMap } from '../../types.js';
import { findWeightFiles, readJsonObject } from '../../weights/diffusers-folder.js';
import { parseCLIPVisionConfig } from './clip-vision-config.js';
import { CLIPVisionModelWithProjection } from './clip-vision-model.js';

export async function loadCLIPVisionModel(dir: string): Promise<CLIPVisionModelWithProjection> {
  const config = parseCLIPVisionConfig(await readJsonObject(path.join(dir, 'config.json')));
  const weights: WeightMap = new Map();
  try {
    for (const file of await findWeightFiles(dir, 'text_encoder')) for (const [name, t] of await loadSafetensors(file)) weights.set(name, t);
    return new CLIPVisionModelWithProjection(config, weights);
  } finally {
    disposeWeights(weights);
  }
}
