// Shading transfer: the person's photo supplies light and folds. Its luminance inside the mask, blurred
// to drop the old garment's print and texture, relative to the mean, scales the new garment's colours.
import { feather } from '../../masks/raster.js';
import type { Mask, RgbImage } from '../../types.js';

const MIN_SHADE = 0.6;
const MAX_SHADE = 1.2;
/** How much of the measured light/dark variation is applied (1 would also copy a dark garment's contrast). */
const STRENGTH = 0.6;
/**
 * Added to luminance before taking the ratio: on a dark old garment (mean ~0.1) a small highlight would
 * otherwise read as a strong light and bleach the new garment there.
 */
const DARK_FLOOR = 0.25;

export function shadingMap(photo: RgbImage, mask: Mask, blurRadius: number): Float32Array {
  const n = photo.width * photo.height;
  const lum: Mask = { width: photo.width, height: photo.height, data: new Float32Array(n) };
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const l = (0.299 * photo.data[i * 3] + 0.587 * photo.data[i * 3 + 1] + 0.114 * photo.data[i * 3 + 2]) / 255;
    lum.data[i] = l;
    if (mask.data[i] > 0.5) {
      sum += l;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : 0.5;
  const blurred = feather(lum, blurRadius).data;
  const shade = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.min(MAX_SHADE, Math.max(MIN_SHADE, (blurred[i] + DARK_FLOOR) / (mean + DARK_FLOOR)));
    shade[i] = 1 + STRENGTH * (s - 1);
  }
  return shade;
}
