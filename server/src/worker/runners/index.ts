// One runner per job kind, built in the engine worker over its model registry.
import path from 'node:path';
import type { StableDiffusionModel } from '../../engine/index.js';
import type { ModelRegistry } from '../../models/registry.js';
import { StableDiffusionRunner } from './stable-diffusion-runner.js';
import { TrainingRunner } from './train-runner.js';
import type { ImagePromptModels } from './image-prompt-models.js';
import type { TaesdDecoders } from './taesd-decoders.js';
import { TryOnRunner } from './tryon-runner.js';
import type { JobRunners } from './types.js';

export interface RunnerDeps {
  readonly sdModels: ModelRegistry<StableDiffusionModel>;
  /** TAESD decoders (previews, fast decodes), shared by every runner. */
  readonly taesd: TaesdDecoders;
  /** IP-Adapters with their image encoders (image prompts, try-on's garment conditioning). */
  readonly imagePrompts: ImagePromptModels;
  readonly dataDir: string;
  /** TRYON_OFFLOAD_UNET: UNet weights in host memory (generation and UNet LoRA training). */
  readonly offloadUNetWeights: boolean;
}

export function createRunners(deps: RunnerDeps): JobRunners {
  const { taesd, imagePrompts } = deps;
  return {
    generate: {
      'text-to-image': new StableDiffusionRunner(deps.sdModels, taesd, imagePrompts, 'text-to-image'),
      'image-to-image': new StableDiffusionRunner(deps.sdModels, taesd, imagePrompts, 'image-to-image'),
      inpaint: new StableDiffusionRunner(deps.sdModels, taesd, imagePrompts, 'inpaint'),
      'try-on': new TryOnRunner(deps.sdModels, taesd, imagePrompts),
    },
    train: new TrainingRunner({ workDir: path.join(deps.dataDir, 'training'), offloadUNetWeights: deps.offloadUNetWeights }),
  };
}
