// A shopper's upload, made safe and small before it is stored or sent anywhere: the bytes must decode as an
// image we accept, the pixel count is checked from the header before decoding (decompression bombs), the EXIF
// orientation is applied, every metadata block (GPS, camera, ICC) is dropped, and the photo is resized to the
// inference server's working size.
import sharp, { type Metadata } from 'sharp';
import { MAX_PHOTO_PIXELS, PHOTO_WORKING_SIZE } from '@fitting-room/proto';
import { BadImageError, PayloadTooLargeError, UnsupportedImageError } from '../errors.js';
import { sniffImageType } from './image-type.js';

/** Shorter photos carry too little of the person to work with. */
export const MIN_SIDE = 128;

export interface PreparedPhoto {
  bytes: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

export async function preparePhoto(upload: Buffer, maxPixels = MAX_PHOTO_PIXELS): Promise<PreparedPhoto> {
  const type = sniffImageType(upload);
  if (!type) throw new UnsupportedImageError('This file is not a photo we can read: please upload a JPEG, PNG or WebP image.');

  let header: Metadata;
  try {
    // Only the header is read here; sharp's own pixel limit would turn a bomb into "damaged" instead of "too large".
    header = await sharp(upload, { limitInputPixels: false }).metadata();
  } catch {
    if (type === 'heic') throw new UnsupportedImageError('HEIC photos cannot be read here: please upload a JPEG or PNG.');
    throw new BadImageError(`This ${type.toUpperCase()} file is damaged and cannot be read.`);
  }
  const pixels = (header.width ?? 0) * (header.height ?? 0);
  if (pixels > maxPixels) {
    throw new PayloadTooLargeError(`This photo has too many pixels (${header.width}x${header.height}); the limit is ${maxPixels / 1e6} megapixels.`);
  }

  try {
    // failOn 'warning' also rejects truncated files that would otherwise decode as grey at the bottom.
    const { data, info } = await sharp(upload, { limitInputPixels: maxPixels, failOn: 'warning' })
      .rotate()
      .resize({ width: PHOTO_WORKING_SIZE, height: PHOTO_WORKING_SIZE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90 })
      .toBuffer({ resolveWithObject: true });
    if (Math.min(info.width, info.height) < MIN_SIDE) {
      throw new BadImageError(`This photo is too small (${info.width}x${info.height}); use one at least ${MIN_SIDE} pixels on each side.`);
    }
    return { bytes: data, mime: 'image/jpeg', width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof BadImageError) throw err;
    if (type === 'heic') throw new UnsupportedImageError('HEIC photos cannot be read here: please upload a JPEG or PNG.');
    throw new BadImageError(`This ${type.toUpperCase()} file is damaged and cannot be read.`);
  }
}
