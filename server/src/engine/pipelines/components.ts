// What a pipeline needs from the models, as small interfaces. stable-diffusion.ts adapts the real model
// classes to these, so pipelines stay orchestration only and never depend on how a model is built.
import type * as tf from '@tensorflow/tfjs-core';
import type { ImagePrompt } from '../models/layers/attention.js';
import type { Scheduler } from '../types.js';

export interface TokenizedPrompts {
  /** [B, maxLength] int32 token ids, padded and truncated as the SD pipeline does. */
  readonly ids: tf.Tensor2D;
  /** Per prompt: whether it was cut to fit. */
  readonly truncated: readonly boolean[];
}

export interface PromptTokenizer {
  readonly maxLength: number;
  tokenize(texts: readonly string[]): TokenizedPrompts;
}

export interface TextEncoder {
  /** input ids [B, 77] → last_hidden_state [B, 77, hidden] (the UNet's encoder_hidden_states). */
  encode(ids: tf.Tensor2D): tf.Tensor3D;
}

export interface DenoisingUNet {
  /** 4 for text-to-image models, 9 for inpainting models (latents + mask + masked-image latents). */
  readonly inChannels: number;
  readonly outChannels: number;
  /**
   * sample NHWC [B, h, w, inChannels], one timestep for the batch → epsilon [B, h, w, outChannels]. `image`: an
   * IP-Adapter image prompt (tokens batched like encoderHiddenStates), for a UNet with an adapter attached.
   */
  predict(sample: tf.Tensor4D, timestep: number | readonly number[], encoderHiddenStates: tf.Tensor3D, image?: ImagePrompt): tf.Tensor4D;
}

/** diffusers' DiagonalGaussianDistribution: logvar clamped to [-30, 20], std = exp(logvar / 2). */
export interface LatentDistribution {
  readonly mean: tf.Tensor4D;
  readonly logvar: tf.Tensor4D;
  readonly std: tf.Tensor4D;
}

/** What decoding final latents needs: the model's VAE, or TAESD for speed. */
export interface LatentDecoder {
  readonly scalingFactor: number;
  /** the decoder's own latents (already divided by scalingFactor) → image NHWC, about [-1, 1], not clamped. */
  decode(latents: tf.Tensor4D): tf.Tensor4D;
}

export interface ImageAutoencoder extends LatentDecoder {
  readonly scalingFactor: number;
  /** Pixels per latent cell (8 for SD). */
  readonly downscale: number;
  readonly latentChannels: number;
  /** image NHWC in [-1, 1] → latent distribution (not scaled by scalingFactor). */
  encode(image: tf.Tensor4D): LatentDistribution;
  /** the VAE's own latents (already divided by scalingFactor) → image NHWC, about [-1, 1], not clamped. */
  decode(latents: tf.Tensor4D): tf.Tensor4D;
}

/** Everything a pipeline run uses; a scheduler is made fresh per run because it holds step state. */
export interface PipelineComponents {
  readonly tokenizer: PromptTokenizer;
  readonly textEncoder: TextEncoder;
  readonly unet: DenoisingUNet;
  readonly vae: ImageAutoencoder;
  createScheduler(name?: string, configOverrides?: Readonly<Record<string, unknown>>): Scheduler;
}
