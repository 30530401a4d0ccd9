// Latents → pixels: VAE decode, clamp(x/2 + 0.5), float and byte images; plus a cheap RGB preview.
import * as tf from '@tensorflow/tfjs-core';
import type { LatentDecoder } from './components.js';
import type { GeneratedImage } from './options.js';

export interface DecodedImages {
  readonly pixels: Float32Array;
  readonly shape: [number, number, number, number];
  readonly images: GeneratedImage[];
}

/** One image of the batch decoded, clamped to [0, 1], NHWC [1, H, W, 3]. */
function decodeOne(vae: LatentDecoder, latents: tf.Tensor4D, b: number): tf.Tensor4D {
  return tf.tidy(() => {
    const z = tf.div(tf.slice(latents, [b, 0, 0, 0], [1, -1, -1, -1]), vae.scalingFactor) as tf.Tensor4D;
    return tf.clipByValue(tf.add(tf.div(vae.decode(z), 2), 0.5), 0, 1) as tf.Tensor4D;
  });
}

function assemble(parts: readonly Float32Array[], height: number, width: number, seeds: readonly number[]): DecodedImages {
  const perImage = height * width * 3;
  const pixels = new Float32Array(perImage * parts.length);
  parts.forEach((part, b) => pixels.set(part, b * perImage));
  const images = parts.map((part, b) => ({ width, height, channels: 3 as const, data: toBytes(part), ...(seeds[b] !== undefined ? { seed: seeds[b] } : {}) }));
  return { pixels, shape: [parts.length, height, width, 3], images };
}

/**
 * Decodes one image at a time (the VAE decoder at 512×512 is the largest activation of a run) and reads each
 * back asynchronously, which every backend supports (webgpu has no synchronous read).
 */
export async function decodeImages(vae: LatentDecoder, latents: tf.Tensor4D, seeds: readonly number[] = []): Promise<DecodedImages> {
  const parts: Float32Array[] = [];
  let [height, width] = [0, 0];
  for (let b = 0; b < latents.shape[0]; b++) {
    const image = decodeOne(vae, latents, b);
    [, height, width] = image.shape;
    try {
      parts.push((await image.data()) as Float32Array);
    } finally {
      image.dispose();
    }
  }
  return assemble(parts, height, width, seeds);
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

function previewRgb(latents: tf.Tensor4D): tf.Tensor {
  const channels = latents.shape[3];
  if (channels !== SD_LATENT_RGB_FACTORS.length) {
    throw new RangeError(`latent preview needs ${SD_LATENT_RGB_FACTORS.length} latent channels, got ${channels}`);
  }
  return tf.tidy(() => {
    const flat = tf.reshape(latents, [-1, channels]);
    const mapped = tf.matMul(flat, tf.tensor2d(SD_LATENT_RGB_FACTORS));
    return tf.clipByValue(tf.add(tf.div(mapped, 2), 0.5), 0, 1);
  });
}

function previewImages(latents: tf.Tensor4D, values: Float32Array): GeneratedImage[] {
  const [batch, height, width] = latents.shape;
  const perImage = height * width * 3;
  return Array.from({ length: batch }, (_, b) => ({ width, height, channels: 3 as const, data: toBytes(values.subarray(b * perImage, (b + 1) * perImage)) }));
}

/** A preview of latents NHWC [B, h, w, 4] as RGB bytes at latent resolution (1/8 of the image), per image. */
export async function latentPreviews(latents: tf.Tensor4D): Promise<GeneratedImage[]> {
  const rgb = previewRgb(latents);
  try {
    return previewImages(latents, (await rgb.data()) as Float32Array);
  } finally {
    rgb.dispose();
  }
}
