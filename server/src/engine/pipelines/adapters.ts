// The engine's model classes behind the small interfaces of components.ts.
import * as tf from '@tensorflow/tfjs-core';
import { checkTokenIds, type CLIPTextModel } from '../models/clip/clip-text-model.js';
import type { UNet2DConditionModel } from '../models/unet/unet-2d-condition.js';
import type { AutoencoderKL } from '../models/vae/autoencoder-kl.js';
import type { AutoencoderTiny } from '../models/taesd/autoencoder-tiny.js';
import { createScheduler } from '../schedulers/index.js';
import type { CLIPTokenizer } from '../tokenizer/clip-tokenizer.js';
import type { DenoisingUNet, ImageAutoencoder, LatentDecoder, PipelineComponents, PromptTokenizer, TextEncoder } from './components.js';
import { PipelineInputError } from './errors.js';

export interface ModelParts {
  readonly tokenizer: CLIPTokenizer;
  readonly textEncoder: CLIPTextModel;
  readonly unet: UNet2DConditionModel;
  readonly vae: AutoencoderKL;
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
}

/** The tokenizer's ids are checked against the text encoder's vocabulary while they are still numbers. */
export function tokenizerAdapter(tokenizer: CLIPTokenizer, vocabSize: number): PromptTokenizer {
  return {
    maxLength: tokenizer.maxLength,
    tokenize(texts) {
      const { inputIds, prompts } = tokenizer.encodeBatch(texts);
      try {
        for (const p of prompts) checkTokenIds(p.inputIds, vocabSize);
      } catch (err) {
        inputIds.dispose();
        throw err;
      }
      return { ids: inputIds, truncated: prompts.map((p) => p.truncated) };
    },
  };
}

export function textEncoderAdapter(textEncoder: CLIPTextModel): TextEncoder {
  return {
    encode(ids) {
      const { lastHiddenState, pooledOutput } = textEncoder.forward(ids);
      pooledOutput.dispose();
      return lastHiddenState;
    },
  };
}

export function unetAdapter(unet: UNet2DConditionModel): DenoisingUNet {
  return {
    inChannels: unet.config.inChannels,
    outChannels: unet.config.outChannels,
    predict(sample, timestep, encoderHiddenStates, image) {
      return tf.tidy(() => {
        const t = tf.tensor1d(typeof timestep === 'number' ? [timestep] : [...timestep], 'float32');
        return unet.forward(sample, t, encoderHiddenStates, image);
      });
    },
  };
}

export function vaeAdapter(vae: AutoencoderKL): ImageAutoencoder {
  return {
    scalingFactor: vae.config.scalingFactor,
    downscale: vae.downscaleFactor,
    latentChannels: vae.config.latentChannels,
    encode: (image) => vae.encode(image),
    decode: (latents) => vae.decode(latents),
  };
}

/** TAESD as a final-latent decoder (it has no latent distribution, so it does not stand in for img2img's encoder). */
export function taesdDecoder(taesd: AutoencoderTiny): LatentDecoder {
  return { scalingFactor: taesd.config.scalingFactor, decode: (latents) => taesd.decode(latents) };
}

export function pipelineComponents(parts: ModelParts): PipelineComponents {
  const { schedulerConfig } = parts;
  const defaultScheduler = typeof schedulerConfig._class_name === 'string' ? schedulerConfig._class_name : undefined;
  return {
    tokenizer: tokenizerAdapter(parts.tokenizer, parts.textEncoder.config.vocabSize),
    textEncoder: textEncoderAdapter(parts.textEncoder),
    unet: unetAdapter(parts.unet),
    vae: vaeAdapter(parts.vae),
    createScheduler(name, overrides) {
      const chosen = name ?? defaultScheduler;
      if (!chosen) throw new PipelineInputError('no scheduler given and scheduler_config.json has no _class_name');
      return createScheduler(chosen, { ...schedulerConfig, ...overrides });
    },
  };
}
