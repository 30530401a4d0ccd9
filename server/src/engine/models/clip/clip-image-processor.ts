// transformers' CLIPImageProcessor (preprocessor_config.json): RGB, resize so the shortest edge is `size`
// (Pillow's antialiased bicubic, reproduced in pil-bicubic-resize.ts), centre crop, rescale, normalise with CLIP's
// mean and std. Images arrive as encoded files (decoded by sharp) or raw RGB; pixel values leave as NHWC float32.
import { rgbImage, type RgbImage } from '../../../image.js';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { z } from 'zod';
import { pilBicubicResize } from './pil-bicubic-resize.js';

const schema = z.object({
  do_resize: z.boolean().default(true),
  size: z.union([z.object({ shortest_edge: z.number().int().positive() }), z.object({ height: z.number().int().positive(), width: z.number().int().positive() })]).default({ shortest_edge: 224 }),
  do_center_crop: z.boolean().default(true),
  crop_size: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }).default({ height: 224, width: 224 }),
  do_rescale: z.boolean().default(true),
  rescale_factor: z.number().positive().default(1 / 255),
  do_normalize: z.boolean().default(true),
  image_mean: z.tuple([z.number(), z.number(), z.number()]).default([0.48145466, 0.4578275, 0.40821073]),
  image_std: z.tuple([z.number(), z.number(), z.number()]).default([0.26862954, 0.26130258, 0.27577711]),
});

export type CLIPImageProcessorConfig = z.output<typeof schema>;

export function parseCLIPImageProcessorConfig(json: unknown): CLIPImageProcessorConfig {
  const parsed = schema.safeParse(json ?? {});
  if (!parsed.success) throw new Error(`invalid CLIPImageProcessor config: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** transformers' get_resize_output_image_size with default_to_square=False: the short side to `edge`, the long one truncated. */
function resizedSize(width: number, height: number, config: CLIPImageProcessorConfig): { width: number; height: number } {
  if ('height' in config.size) return { width: config.size.width, height: config.size.height };
  const edge = config.size.shortest_edge;
  return width <= height ? { width: edge, height: Math.trunc((edge * height) / width) } : { width: Math.trunc((edge * width) / height), height: edge };
}

/** An image file (any format sharp reads) or raw RGB → pixel values NHWC [1, crop, crop, 3]. */
export async function clipPixelValues(image: Buffer | RgbImage, config: CLIPImageProcessorConfig): Promise<tf.Tensor4D> {
  let rgb: RgbImage;
  if (Buffer.isBuffer(image)) {
    const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    rgb = rgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    rgb = image;
  }
  if (config.do_resize) {
    const size = resizedSize(rgb.width, rgb.height, config);
    if (size.width !== rgb.width || size.height !== rgb.height) rgb = rgbImage(size.width, size.height, pilBicubicResize(rgb.data, rgb.width, rgb.height, size.width, size.height));
  }
  const crop = config.do_center_crop ? config.crop_size : { height: rgb.height, width: rgb.width };
  const top = Math.floor((rgb.height - crop.height) / 2);
  const left = Math.floor((rgb.width - crop.width) / 2);
  if (top < 0 || left < 0) throw new Error(`CLIPImageProcessor: a ${rgb.width}x${rgb.height} image is smaller than the ${crop.width}x${crop.height} crop`);
  return tf.tidy(() => {
    const pixels = tf.slice(tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32'), [top, left, 0], [crop.height, crop.width, 3]);
    let x: tf.Tensor = tf.cast(pixels, 'float32');
    if (config.do_rescale) x = tf.mul(x, config.rescale_factor);
    if (config.do_normalize) x = tf.div(tf.sub(x, tf.tensor1d(config.image_mean)), tf.tensor1d(config.image_std));
    return tf.expandDims(x, 0) as tf.Tensor4D;
  });
}
