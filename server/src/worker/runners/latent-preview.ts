// Live previews of a denoising run: TAESD's decode at the working size when the job leased TAESD, else the cheap
// latent-to-RGB approximation.
import * as tf from '@tensorflow/tfjs-core';
import { type LatentDecoder, decodeImages, latentPreviews } from '../../engine/index.js';
import type { RawImage } from './types.js';

/** A preview of the first image of NHWC latents: TAESD's decode at the working size, else the 1/8-size approximation. */
export async function latentPreview(latents: tf.Tensor4D, decoder?: LatentDecoder): Promise<RawImage> {
  if (!decoder) return (await latentPreviews(latents))[0]!;
  const first = tf.slice(latents, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
  try {
    return (await decodeImages(decoder, first)).images[0]!;
  } finally {
    first.dispose();
  }
}
