// Image → scaled latents through the VAE, drawing the latent sample from the run's noise, as diffusers'
// retrieve_latents(vae.encode(x), generator) * scaling_factor.
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import type { ImageAutoencoder } from './components.js';

/** [0, 1] pixels → [-1, 1], the range the VAE was trained on. */
export function toModelRange(image: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.mul(image, 2), 1) as tf.Tensor4D);
}

/** image NHWC in [-1, 1] → scalingFactor * (mean + std * eps), eps drawn from `noise` (one draw). */
export function encodeImageLatents(vae: ImageAutoencoder, image: tf.Tensor4D, noise: NoiseSource): tf.Tensor4D {
  const { mean, logvar, std } = vae.encode(image);
  logvar.dispose();
  try {
    const eps = noise(mean.shape);
    try {
      return tf.tidy(() => tf.mul(tf.add(mean, tf.mul(std, eps)), vae.scalingFactor) as tf.Tensor4D);
    } finally {
      eps.dispose();
    }
  } finally {
    mean.dispose();
    std.dispose();
  }
}

/**
 * Repeats image latents to the run's batch. Porting note: diffusers tiles (a, b, a, b) here while prompts
 * repeat per image (p0, p0, p1, p1); kept as is so results match.
 */
export function repeatToBatch(latents: tf.Tensor4D, batch: number): tf.Tensor4D {
  const have = latents.shape[0];
  if (have === batch) return latents.clone();
  return tf.tidy(() => tf.concat(Array.from({ length: batch / have }, () => latents), 0));
}
