// The try-on engine and the embedded default models, gathered in one
// place so server.ts reads as assembly.
import type { ServerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ensureEmbeddedModels } from '../../models/embedded.js';
import type { ModelEntry } from '../../models/scan.js';
import { TryOnRunner } from './tryon-runner.js';
import type { GenerateRunner } from './types.js';

export interface OptionalEngines {
  readonly tryOn?: GenerateRunner;
  /** Built-in entries for ListModels (the weights-free try-on engine). */
  readonly builtinModels: ModelEntry[];
  /** Folders with embedded models (the generated tiny default), scanned after the models directory. */
  readonly extraModelDirs: string[];
}

export const WARP_ENGINE_ENTRY: ModelEntry = { name: 'warp', kind: 'try-on', format: 'builtin', path: '', memoryBytes: 0, sizeBytes: 0 };

export async function loadOptionalEngines(config: ServerConfig, logger: Logger): Promise<OptionalEngines> {
  const extraModelDirs: string[] = [];
  if (!config.modelsDir) {
    const started = performance.now();
    extraModelDirs.push(await ensureEmbeddedModels(config.dataDir));
    logger.info({ dir: extraModelDirs[0], ms: Math.round(performance.now() - started) }, 'no TRYON_MODELS_DIR: serving the embedded tiny models (random weights) and the warp try-on engine');
  }
  return { tryOn: new TryOnRunner(), builtinModels: [WARP_ENGINE_ENTRY], extraModelDirs };
}
