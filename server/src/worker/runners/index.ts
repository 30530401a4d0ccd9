// One runner per job kind, built in the engine worker over its models (one registry for every kind).
import path from 'node:path';
import { StableDiffusionRunner } from './stable-diffusion-runner.js';
import { TrainingRunner } from './train-runner.js';
import { TryOnRunner } from './tryon-runner.js';
import type { JobRunners } from './types.js';
import type { WorkerModels } from './worker-models.js';

export interface RunnerDeps {
  readonly models: WorkerModels;
  readonly dataDir: string;
  /** TRYON_OFFLOAD_UNET: UNet weights in host memory (generation and UNet LoRA training). */
  readonly offloadUNetWeights: boolean;
}

export function createRunners(deps: RunnerDeps): JobRunners {
  const { models } = deps;
  return {
    generate: {
      'text-to-image': new StableDiffusionRunner(models, 'text-to-image'),
      'image-to-image': new StableDiffusionRunner(models, 'image-to-image'),
      inpaint: new StableDiffusionRunner(models, 'inpaint'),
      'try-on': new TryOnRunner(models),
    },
    train: new TrainingRunner({ workDir: path.join(deps.dataDir, 'training'), offloadUNetWeights: deps.offloadUNetWeights }),
  };
}
