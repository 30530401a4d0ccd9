// Builds one runner per job kind from the engines that are present.
import type { StableDiffusionModel } from '../../engine/stable-diffusion.js';
import type { ModelRegistry } from '../../models/registry.js';
import { StableDiffusionRunner } from './stable-diffusion-runner.js';
import type { GenerateRunner, JobRunners, TrainRunner } from './types.js';
import { unavailableRunner } from './unavailable.js';

export interface RunnerDeps {
  readonly sdModels: ModelRegistry<StableDiffusionModel>;
  /** The try-on and training runners, when those engines are present (see engines.ts). */
  readonly tryOn?: GenerateRunner;
  readonly train?: TrainRunner;
}

export function createRunners(deps: RunnerDeps): JobRunners {
  return {
    generate: {
      'text-to-image': new StableDiffusionRunner(deps.sdModels, 'text-to-image'),
      'image-to-image': new StableDiffusionRunner(deps.sdModels, 'image-to-image'),
      inpaint: new StableDiffusionRunner(deps.sdModels, 'inpaint'),
      'try-on': deps.tryOn ?? unavailableRunner('MODE_TRY_ON', 'the try-on engine is not part of this build yet'),
    },
    train: deps.train ?? unavailableRunner('Train', 'the training engine is not part of this build yet'),
  };
}
