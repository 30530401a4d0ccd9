// An image prompt as the UNet's IP-Adapter layers take it, for one image: the conditional tokens and the
// unconditional ones classifier-free guidance pairs them with, as diffusers' prepare_ip_adapter_image_embeds makes
// them (base: the projection of zeros_like(image_embeds); plus: of the encoder's penultimate hidden states of an
// all-zero image).
import * as tf from '@tensorflow/tfjs-core';
import type { CLIPVisionModelWithProjection } from '../clip/clip-vision-model.js';
import type { IPAdapter } from './ip-adapter.js';

// A type alias so it is a tf.TensorContainer.
export type ImagePromptTokens = {
  /** [1, n, cross]. */
  cond: tf.Tensor3D;
  uncond: tf.Tensor3D;
};

/** pixelValues: CLIPImageProcessor's output for one image, NHWC [1, S, S, 3]. */
export function encodeImagePrompt(adapter: IPAdapter, encoder: CLIPVisionModelWithProjection, pixelValues: tf.Tensor4D): ImagePromptTokens {
  return tf.tidy(() => {
    const encoded = encoder.forward(pixelValues);
    if (adapter.kind === 'base') {
      return { cond: adapter.projection.tokens(encoded.imageEmbeds), uncond: adapter.projection.tokens(tf.zerosLike(encoded.imageEmbeds)) };
    }
    const blank = encoder.forward(tf.zerosLike(pixelValues));
    return { cond: adapter.projection.tokens(encoded.penultimateHiddenState), uncond: adapter.projection.tokens(blank.penultimateHiddenState) };
  });
}
