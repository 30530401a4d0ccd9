// Images at the edge: decode and check what clients send (sharp), encode what the server returns.
// Decoding to raw pixels drops every bit of metadata (EXIF, GPS, ICC), so nothing of it travels further.
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { RawImage } from '../worker/runners/types.js';
import { InputError } from './errors.js';

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface DecodeOptions {
  readonly maxPixels: number;
  /** Size to resize to, given the upright size (inputs that must match the output); undefined keeps it. */
  readonly resizeTo?: (size: { width: number; height: number }) => { width: number; height: number } | undefined;
  readonly channels: 1 | 3;
}

/** Decodes an uploaded image (EXIF orientation applied) to raw RGB or grey; InputError naming `field` otherwise. */
export async function decodeImage(field: string, bytes: Uint8Array, opts: DecodeOptions): Promise<RawImage> {
  if (bytes.length === 0) throw new InputError(`${field} is empty; send a JPEG, PNG or WebP file`, 'BAD_IMAGE');
  let meta: Metadata;
  try {
    // Header only, so no pixel limit here: the size is checked below with a message that names it.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new InputError(`${field} is not a decodable image (${bytes.length} bytes); send a JPEG, PNG or WebP file`, 'BAD_IMAGE');
  }
  if (!meta.format || !ACCEPTED_FORMATS.has(meta.format)) {
    throw new InputError(`${field} is ${meta.format ?? 'an unknown format'}; send a JPEG, PNG or WebP file`, 'BAD_IMAGE');
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > opts.maxPixels) {
    throw new InputError(`${field} is ${meta.width}x${meta.height} = ${pixels} pixels, over the limit of ${opts.maxPixels}`, 'IMAGE_TOO_LARGE');
  }
  try {
    let pipeline = sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error' }).rotate();
    const upright = (meta.orientation ?? 1) >= 5 ? { width: meta.height ?? 0, height: meta.width ?? 0 } : { width: meta.width ?? 0, height: meta.height ?? 0 };
    const target = opts.resizeTo?.(upright);
    if (target) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill' });
    pipeline = opts.channels === 1 ? pipeline.grayscale() : pipeline.removeAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    if (channels !== opts.channels) throw new Error(`decoded to ${channels} channels`);
    return { width: info.width, height: info.height, channels: opts.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InputError(`${field} could not be decoded: ${why}`, 'BAD_IMAGE');
  }
}

function rawInput(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

export async function encodePng(image: RawImage): Promise<Buffer> {
  return rawInput(image).png().toBuffer();
}

/** The one encoding of a preview: JPEG, upscaled (nearest neighbour: latent-resolution blocks) to at least `minSide`. */
export async function encodePreviewJpeg(image: RawImage, minSide = 64): Promise<Buffer> {
  let pipeline = rawInput(image);
  const scale = Math.max(1, Math.ceil(minSide / Math.min(image.width, image.height)));
  if (scale > 1) pipeline = pipeline.resize(image.width * scale, image.height * scale, { kernel: 'nearest' });
  return pipeline.jpeg({ quality: 80 }).toBuffer();
}
