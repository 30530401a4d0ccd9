// Pastes a generated image back into the original photo at full resolution. Outside the feathered mask
// every pixel is the original's, bit for bit; the alpha used is exactly the mask PNG handed back.
import { feather, quantize } from './masks/raster.js';
import type { Mask, RgbImage } from './types.js';

/** The compositing alpha: the binary mask feathered (finite support), protected parts cut out, 8-bit steps. */
export function compositingAlpha(mask: Mask, protectedParts: Mask | undefined, featherRadius: number): Mask {
  const soft = feather(mask, featherRadius);
  if (protectedParts) for (let i = 0; i < soft.data.length; i++) soft.data[i] *= 1 - protectedParts.data[i];
  return quantize(soft);
}

export function composite(original: RgbImage, generated: RgbImage, alpha: Mask): RgbImage {
  if (generated.width !== original.width || generated.height !== original.height) {
    throw new Error(`generated image is ${generated.width}x${generated.height}, the photo ${original.width}x${original.height}`);
  }
  const out = new Uint8Array(original.data);
  for (let i = 0; i < alpha.data.length; i++) {
    const a = alpha.data[i];
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) {
      const j = i * 3 + c;
      out[j] = Math.round(original.data[j] * (1 - a) + generated.data[j] * a);
    }
  }
  return { width: original.width, height: original.height, channels: 3, data: out };
}
