// TAESD models in the engine worker, loaded once per folder (a few MB each): live previews at the working size and,
// when a request asks for it, the result's decode.
import * as tf from '@tensorflow/tfjs-core';
import { type AutoencoderTiny, loadAutoencoderTiny, taesdDecoder, type LatentDecoder, decodeLatents, latentsToRgbPreview } from '../../engine/index.js';
import type { ModelEntry } from '../../models/scan.js';
import type { RawImage } from './types.js';

export class TaesdDecoders {
  private readonly loaded = new Map<string, Promise<AutoencoderTiny>>();

  /** The decoder of a TAESD entry, loading it on first use. */
  async decoder(entry: ModelEntry): Promise<LatentDecoder> {
    let pending = this.loaded.get(entry.path);
    if (!pending) {
      pending = loadAutoencoderTiny(entry.path);
      this.loaded.set(entry.path, pending);
      pending.catch(() => this.loaded.delete(entry.path));
    }
    return taesdDecoder(await pending);
  }

  async dispose(): Promise<void> {
    const models = await Promise.allSettled([...this.loaded.values()]);
    this.loaded.clear();
    for (const m of models) if (m.status === 'fulfilled') m.value.dispose();
  }
}

/** A preview of the first image of NHWC latents: TAESD's decode at the working size, else the 1/8-size approximation. */
export function latentPreview(latents: tf.Tensor4D, decoder?: LatentDecoder): RawImage {
  if (!decoder) {
    const [image] = latentsToRgbPreview(latents);
    return { width: image.width, height: image.height, channels: 3, data: image.rgb };
  }
  const first = tf.slice(latents, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
  try {
    const [image] = decodeLatents(decoder, first).images;
    return { width: image.width, height: image.height, channels: 3, data: image.rgb };
  } finally {
    first.dispose();
  }
}
