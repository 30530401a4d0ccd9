// Validation samples: generate an image per validation prompt with the weights being trained (txt2img, or
// inpaint with the first training image and a centre mask for 9-channel UNets) and save each as PNG.
import type { RgbImage } from '../image.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import type { StableDiffusionModel } from '../engine/training.js';
import { CENTER_DRAW, loadTrainingImage } from './augment.js';

export interface TrainSample {
  readonly step: number;
  readonly prompt: string;
  readonly index: number;
  /** The saved PNG. */
  readonly file: string;
  readonly image: RgbImage;
}

export interface ValidationSettings {
  readonly prompts: readonly string[];
  readonly steps: number;
  readonly guidance: number;
  readonly resolution: number;
  readonly seed: number;
  /** Inpainting models: the image whose centre is repainted. */
  readonly inpaintImage?: string;
}

export async function generateSamples(
  model: StableDiffusionModel,
  settings: ValidationSettings,
  step: number,
  outDir: string,
): Promise<TrainSample[]> {
  const dir = path.join(outDir, 'samples');
  await mkdir(dir, { recursive: true });
  const res = settings.resolution;
  const samples: TrainSample[] = [];
  for (const [index, prompt] of settings.prompts.entries()) {
    const common = { prompt, numInferenceSteps: settings.steps, guidanceScale: settings.guidance, seed: settings.seed + index };
    let result;
    if (settings.inpaintImage === undefined) {
      result = await model.txt2img({ ...common, height: res, width: res });
    } else {
      const pixels = await loadTrainingImage(settings.inpaintImage, { resolution: res }, CENTER_DRAW);
      const image = tf.tidy(() => tf.div(tf.add(tf.tensor4d(pixels, [1, res, res, 3]), 1), 2) as tf.Tensor4D);
      const mask = tf.tidy(() => tf.pad(tf.ones([1, res / 2, res / 2, 1]), [[0, 0], [res / 4, res / 4], [res / 4, res / 4], [0, 0]]) as tf.Tensor4D);
      try {
        result = await model.inpaint({ ...common, image, mask });
      } finally {
        tf.dispose([image, mask]);
      }
    }
    const img = result.images[0];
    const file = path.join(dir, `step-${String(step).padStart(6, '0')}-${index}.png`);
    await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(file);
    samples.push({ step, prompt, index, file, image: img });
  }
  return samples;
}
