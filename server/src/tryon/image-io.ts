// Decoding and encoding at the edges. EXIF orientation is applied on decode (sharp's rotate()), so every
// stage works on the image as the shopper sees it, and the output keeps that upright size.
import sharp from 'sharp';
import { TryOnError } from './errors.js';
import type { GreyImage, Image } from '../image.js';
import type { Mask, RgbaImage, RgbImage } from './types.js';

const MAX_SIDE = 4096;

export async function decodeRgb(bytes: Buffer, what: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_SIDE * MAX_SIDE })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new TryOnError('BAD_IMAGE', `${what} is not a readable image (JPEG, PNG, WebP...): ${(err as Error).message}`);
  }
}

export async function decodeRgba(bytes: Buffer, what: string): Promise<RgbaImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_SIDE * MAX_SIDE })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new TryOnError('BAD_IMAGE', `${what} is not a readable image (JPEG, PNG, WebP...): ${(err as Error).message}`);
  }
}

/** A caller-supplied mask: any image, white = repaint; resized to the photo's size. */
export async function decodeMask(bytes: Buffer, width: number, height: number): Promise<Mask> {
  try {
    const { data } = await sharp(bytes)
      .rotate()
      .flatten({ background: '#000000' })
      .greyscale()
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = data[i] / 255;
    return { width, height, data: out };
  } catch (err) {
    throw new TryOnError('BAD_IMAGE', `mask is not a readable image: ${(err as Error).message}`);
  }
}

/** PNG of any of the server's images (RGB, RGBA cut-outs, grey masks). */
export function encodePng(img: Image): Promise<Buffer> {
  const raw = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: img.channels } });
  return (img.channels === 1 ? raw.toColourspace('b-w') : raw).png().toBuffer();
}

/** 8-bit grey as a [0, 1] mask. */
export function greyToMask(grey: GreyImage): Mask {
  return { width: grey.width, height: grey.height, data: Float32Array.from(grey.data, (v) => v / 255) };
}

/** A [0, 1] mask as 8-bit grey. */
export function maskToGrey(mask: Mask): GreyImage {
  const data = new Uint8Array(mask.width * mask.height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, mask.data[i])) * 255);
  return { width: mask.width, height: mask.height, channels: 1, data };
}

/**
 * A small copy for progress previews, still raw RGB: the shopper sees the look before the full-size result is
 * encoded, and the gRPC edge encodes it once, as JPEG.
 */
export async function previewImage(img: RgbImage, maxSide = 320): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
