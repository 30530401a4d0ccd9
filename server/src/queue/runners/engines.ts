// The engines that are built separately (try-on, training): loaded if present, so the server starts and
// answers those modes with a clear status when one is missing.
import type { ServerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ModelRegistry } from '../../models/registry.js';
import type { ModelEntry } from '../../models/scan.js';
import type { StableDiffusionModel } from '../../engine/stable-diffusion.js';
import type { GenerateRunner, TrainRunner } from './types.js';

export interface EngineDeps {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly sdModels: ModelRegistry<StableDiffusionModel>;
}

export interface OptionalEngines {
  readonly tryOn?: GenerateRunner;
  readonly train?: TrainRunner;
  /** Built-in entries for ListModels (the weights-free try-on engine). */
  readonly builtinModels: ModelEntry[];
  /** Folders with embedded models (the generated tiny default). */
  readonly extraModelDirs: string[];
}

export async function loadOptionalEngines(deps: EngineDeps): Promise<OptionalEngines> {
  deps.logger.debug('try-on and training engines not wired yet');
  return { builtinModels: [], extraModelDirs: [] };
}
