// Placeholder until the engine's inpaint pipeline lands.
import { TryOnError } from '../../errors.js';
import type { PreparedGarment } from '../../garment/prepare.js';
import type { Mask, RgbImage } from '../../types.js';
import type { DiffusionSettings } from './settings.js';

export interface DiffusionInput {
  readonly photo: RgbImage;
  readonly mask: Mask;
  readonly garment: PreparedGarment;
  readonly warped: RgbImage;
  readonly prompt: string;
  readonly settings: DiffusionSettings;
  readonly signal?: AbortSignal;
  readonly onStep: (step: number, totalSteps: number, preview?: Buffer) => Promise<boolean>;
}

export function generateWithDiffusion(input: DiffusionInput): Promise<{ image: RgbImage; warnings: string[] }> {
  return Promise.reject(new TryOnError('MODEL_MISSING', `diffusion engine not available (${input.settings.modelDir})`));
}
