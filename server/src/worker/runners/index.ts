// One runner per job kind, built in the engine worker over its model registry.
import path from 'node:path';
import type { StableDiffusionModel } from '../../engine/stable-diffusion.js';
import type { ModelRegistry } from '../../models/registry.js';
import { StableDiffusionRunner } from './stable-diffusion-runner.js';
import { TrainingRunner } from './train-runner.js';
import { TryOnRunner } from './tryon-runner.js';
import type { JobRunners } from './types.js';

export interface RunnerDeps {
  readonly sdModels: ModelRegistry<StableDiffusionModel>;
  readonly dataDir: string;
  /** TRYON_OFFLOAD_UNET: UNet weights in host memory (generation and UNet LoRA training). */
  readonly offloadUNetWeights: boolean;
}

export function createRunners(deps: RunnerDeps): JobRunners {
  return {
    generate: {
      'text-to-image': new StableDiffusionRunner(deps.sdModels, 'text-to-image'),
      'image-to-image': new StableDiffusionRunner(deps.sdModels, 'image-to-image'),
      inpaint: new StableDiffusionRunner(deps.sdModels, 'inpaint'),
      'try-on': new TryOnRunner(),
    },
    train: new TrainingRunner({ workDir: path.join(deps.dataDir, 'training'), offloadUNetWeights: deps.offloadUNetWeights }),
  };
}
