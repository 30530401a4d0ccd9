// Shoppers' phones take 12-50 MP photos; the server works at the contract's PHOTO_WORKING_SIZE (long side, px),
// so shrink to it before upload: faster on mobile networks and less personal data in transit.
// The constant comes from proto's `./working-size` entry, not `./shopper-api`: that module builds zod schemas at its
// top level, which esbuild must keep (calls may have side effects), and would put zod into the bundle (~90 KiB gzipped).
import { PHOTO_WORKING_SIZE } from '@fitting-room/proto/working-size';
import { TryOnError } from './tryon-client.js';

/** The largest file the shopper may pick (before downscaling; the upload itself is far smaller). */
export const MAX_PHOTO_BYTES = 25 * 1024 * 1024;

export interface PreparedPhoto {
  blob: Blob;
  width: number;
  height: number;
  /** An object URL of the downscaled photo, for showing it before sending (revoke when done). */
  previewUrl: string;
}

export async function preparePhoto(file: Blob, maxSide = PHOTO_WORKING_SIZE): Promise<PreparedPhoto> {
  if (file.size > MAX_PHOTO_BYTES) throw new TryOnError('too_large');
  let bitmap: ImageBitmap;
  try {
    // Browsers apply EXIF orientation here by default ('from-image').
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new TryOnError('not_an_image');
  }
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new TryOnError('unknown', 'canvas 2d context unavailable');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  if (!blob) throw new TryOnError('not_an_image');
  return { blob, width, height, previewUrl: URL.createObjectURL(blob) };
}
