// Image preparation as the diffusers training scripts: resize the short side to the resolution, center or
// random crop to a square, optional horizontal flip, then scale to [-1, 1]. Random choices come from the
// caller as uniforms so they follow the run's seed.
import sharp from 'sharp';
import { z } from 'zod';

export const augmentSchema = z.object({
  resolution: z
    .number()
    .int()
    .min(8)
    .refine((r) => r % 8 === 0, { message: 'resolution must be a multiple of 8' }),
  crop: z.enum(['center', 'random']).default('center'),
  /** Flip horizontally with probability 1/2. */
  flip: z.boolean().default(false),
});
export type AugmentOptions = z.input<typeof augmentSchema>;

/** The random choices for one image: crop position (x, y) and flip, each in [0, 1). */
export interface AugmentDraw {
  cropX: number;
  cropY: number;
  flip: number;
}

export const CENTER_DRAW: AugmentDraw = { cropX: 0.5, cropY: 0.5, flip: 1 };

/** Decodes, resizes, crops and flips one image; returns HWC float32 in [-1, 1] (RGB, alpha over white). */
export async function loadTrainingImage(file: string, options: AugmentOptions, draw: AugmentDraw): Promise<Float32Array> {
  const { resolution: res, crop, flip } = augmentSchema.parse(options);
  const { data, info } = await sharp(file)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize({ width: res, height: res, fit: 'outside', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const fx = crop === 'random' ? draw.cropX : 0.5;
  const fy = crop === 'random' ? draw.cropY : 0.5;
  const left = crop === 'random' ? Math.floor(fx * (width - res + 1)) : Math.round((width - res) / 2);
  const top = crop === 'random' ? Math.floor(fy * (height - res + 1)) : Math.round((height - res) / 2);
  const mirror = flip && draw.flip < 0.5;
  const out = new Float32Array(res * res * 3);
  for (let y = 0; y < res; y++) {
    for (let x = 0; x < res; x++) {
      const sx = left + (mirror ? res - 1 - x : x);
      const src = ((top + y) * width + sx) * channels;
      const dst = (y * res + x) * 3;
      for (let c = 0; c < 3; c++) out[dst + c] = (data[src + c] / 255) * 2 - 1;
    }
  }
  return out;
}
