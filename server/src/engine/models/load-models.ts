// Builds the model classes from raw configs and WeightMaps (what weights/diffusers-folder.ts and the
// single-file loader produce), disposing the ones already built if a later one fails.
import type { WeightMap } from '../types.js';
import { parseCLIPTextConfig } from './clip/clip-text-config.js';
import { CLIPTextModel } from './clip/clip-text-model.js';
import { parseUNetConfig } from './unet/unet-config.js';
import { UNet2DConditionModel } from './unet/unet-2d-condition.js';
import { parseAutoencoderKLConfig } from './vae/vae-config.js';
import { AutoencoderKL } from './vae/autoencoder-kl.js';

/** A component's raw config.json and its weights in PyTorch layout (weights/diffusers-folder's ComponentWeights fits). */
export interface ComponentSource {
  readonly config: unknown;
  readonly weights: WeightMap;
}

export interface ModelSources {
  unet?: ComponentSource;
  vae?: ComponentSource;
  textEncoder?: ComponentSource;
}

export interface LoadedModels {
  unet?: UNet2DConditionModel;
  vae?: AutoencoderKL;
  textEncoder?: CLIPTextModel;
  /** Disposes every model built here. */
  dispose(): void;
}

/**
 * Parses each config and builds each model given. The WeightMaps stay the caller's (the models hold their
 * own compute-layout copies, so the caller may dispose them right after). `trainable` names the models
 * whose variables take part in gradients (e.g. ['unet'] for fine-tuning).
 */
export function loadModelsFromWeights(
  sources: ModelSources,
  opts: { trainable?: readonly ('unet' | 'vae' | 'textEncoder')[] } = {},
): LoadedModels {
  const trainable = new Set(opts.trainable ?? []);
  const built: { dispose(): void }[] = [];
  const keep = <T extends { dispose(): void }>(model: T): T => {
    built.push(model);
    return model;
  };
  try {
    const textEncoder = sources.textEncoder
      ? keep(new CLIPTextModel(parseCLIPTextConfig(sources.textEncoder.config), sources.textEncoder.weights, { trainable: trainable.has('textEncoder') }))
      : undefined;
    const unet = sources.unet
      ? keep(new UNet2DConditionModel(parseUNetConfig(sources.unet.config), sources.unet.weights, { trainable: trainable.has('unet') }))
      : undefined;
    const vae = sources.vae
      ? keep(new AutoencoderKL(parseAutoencoderKLConfig(sources.vae.config), sources.vae.weights, { trainable: trainable.has('vae') }))
      : undefined;
    return {
      unet,
      vae,
      textEncoder,
      dispose: () => {
        for (const model of built.splice(0)) model.dispose();
      },
    };
  } catch (err) {
    for (const model of built) model.dispose();
    throw err;
  }
}
