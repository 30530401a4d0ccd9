// One loaded Stable Diffusion model per (folder, CatVTON weights) in the process: loading costs seconds
// to minutes, and CatVTON's weights change the UNet in place.
import { loadStableDiffusion, type StableDiffusionModel } from '../../../engine/index.js';
import { TryOnError } from '../../errors.js';
import { loadCatvtonAttention, resolveCatvtonFile } from './catvton-attention.js';

const cache = new Map<string, Promise<StableDiffusionModel>>();

export function loadTryOnModel(modelDir: string, catvtonPath?: string): Promise<StableDiffusionModel> {
  const key = `${modelDir}\n${catvtonPath ?? ''}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = (async () => {
      const model = await loadStableDiffusion(modelDir).catch((err: Error) => {
        throw new TryOnError('MODEL_MISSING', `cannot load the diffusion model at ${modelDir}: ${err.message}`);
      });
      try {
        if (model.components.unet.inChannels !== 9) {
          throw new TryOnError('MODEL_MISSING', `${modelDir} is not an inpainting model (UNet in_channels ${model.components.unet.inChannels}, needs 9)`);
        }
        if (catvtonPath) await loadCatvtonAttention(model.unet.parameters, await resolveCatvtonFile(catvtonPath));
        return model;
      } catch (err) {
        model.dispose();
        throw err;
      }
    })();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Frees every cached model (tests, shutdown). */
export async function disposeTryOnModels(): Promise<void> {
  const models = await Promise.allSettled([...cache.values()]);
  cache.clear();
  for (const m of models) if (m.status === 'fulfilled') m.value.dispose();
}
