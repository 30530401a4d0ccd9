// Latents → pixels: VAE decode, clamp(x/2 + 0.5), float and byte images; plus a cheap RGB preview.
import * as tf from '@tensorflow/tfjs-core';
import type { LatentDecoder } from './components.js';
import type { GeneratedImage } from './options.js';

export interface DecodedImages {
  readonly pixels: Float32Array;
  readonly shape: [number, number, number, number];
  readonly images: GeneratedImage[];
}

/** Decodes one image at a time: the VAE decoder at 512×512 is the largest activation of a run. */
export function decodeLatents(vae: LatentDecoder, latents: tf.Tensor4D, seeds: readonly number[] = []): DecodedImages {
  const [batch] = latents.shape;
  const parts: Float32Array[] = [];
  let height = 0;
  let width = 0;
  for (let b = 0; b < batch; b++) {
    const image = tf.tidy(() => {
      const z = tf.div(tf.slice(latents, [b, 0, 0, 0], [1, -1, -1, -1]), vae.scalingFactor) as tf.Tensor4D;
      return tf.clipByValue(tf.add(tf.div(vae.decode(z), 2), 0.5), 0, 1) as tf.Tensor4D;
    });
    [, height, width] = image.shape;
    parts.push(image.dataSync() as Float32Array);
    image.dispose();
  }
  const perImage = height * width * 3;
  const pixels = new Float32Array(perImage * batch);
  parts.forEach((part, b) => pixels.set(part, b * perImage));
  const images = parts.map((part, b) => ({ width, height, rgb: toBytes(part), ...(seeds[b] !== undefined ? { seed: seeds[b] } : {}) }));
  return { pixels, shape: [batch, height, width, 3], images };
}

/** [0, 1] floats → bytes, rounded as diffusers' numpy_to_pil ((x * 255).round()). */
export function toBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(values[i] * 255);
  return bytes;
}

/**
 * Linear latent → RGB factors for SD 1.x/2.x latents (the widely used community approximation of the
 * VAE decoder for progress previews): rgb = latents · F, then mapped from about [-1, 1] to [0, 1].
 */
const SD_LATENT_RGB_FACTORS = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

/** A preview of latents NHWC [B, h, w, 4] as RGB bytes at latent resolution (1/8 of the image), per image. */
export function latentsToRgbPreview(latents: tf.Tensor4D): GeneratedImage[] {
  const [batch, height, width, channels] = latents.shape;
  if (channels !== SD_LATENT_RGB_FACTORS.length) {
    throw new RangeError(`latent preview needs ${SD_LATENT_RGB_FACTORS.length} latent channels, got ${channels}`);
  }
  const rgb = tf.tidy(() => {
    const flat = tf.reshape(latents, [-1, channels]);
    const mapped = tf.matMul(flat, tf.tensor2d(SD_LATENT_RGB_FACTORS));
    return tf.clipByValue(tf.add(tf.div(mapped, 2), 0.5), 0, 1);
  });
  const values = rgb.dataSync() as Float32Array;
  rgb.dispose();
  const perImage = height * width * 3;
  return Array.from({ length: batch }, (_, b) => ({ width, height, rgb: toBytes(values.subarray(b * perImage, (b + 1) * perImage)) }));
}
