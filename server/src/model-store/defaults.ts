// Which model serves a request that names none: the configured default for its kind, else the first found.
import { ConfigError } from '../config.js';
import type { ModelEntry } from './scan.js';

export interface ModelDefaults {
  /** Text-to-image and image-to-image. */
  readonly base?: ModelEntry;
  /** Inpaint and the diffusion try-on engine. */
  readonly inpaint?: ModelEntry;
  /**
   * Try-on with no engine or model named: the diffusion engine on this model, or else the weights-free warp
   * engine. Only an explicitly configured inpainting default counts: a random or unvetted one would spoil
   * every shopper's picture.
   */
  readonly tryOn?: ModelEntry;
}

export function chooseDefaults(models: readonly ModelEntry[], configured?: string): ModelDefaults {
  const firstOf = (...kinds: ModelEntry['kind'][]): ModelEntry | undefined => models.find((m) => kinds.includes(m.kind));
  let base = firstOf('base') ?? firstOf('fine-tuned');
  let inpaint = firstOf('inpaint');
  let tryOn: ModelEntry | undefined;
  if (configured) {
    const chosen = models.find((m) => m.name === configured);
    if (!chosen || !['base', 'fine-tuned', 'inpaint'].includes(chosen.kind)) {
      const usable = models.filter((m) => m.kind !== 'lora' && m.kind !== 'try-on').map((m) => m.name);
      throw new ConfigError(`TRYON_DEFAULT_MODEL "${configured}" is not a model in the models directory; found: ${usable.join(', ') || 'none'}`);
    }
    if (chosen.kind === 'inpaint') inpaint = tryOn = chosen;
    else base = chosen;
  }
  return { base, inpaint, tryOn };
}
