// The models the server can serve: what the models directories (and built-in engines) hold, by name. Lives on
// the gRPC thread, which validates names against it; loading them is the engine worker's (registry.ts).
import { nameProblem } from './names.js';
import { scanModelsDir, type ModelEntry, type ModelKind, type ScanProblem } from './scan.js';

export class ModelNotFoundError extends Error {
  constructor(
    readonly what: 'model' | 'LoRA',
    readonly modelName: string,
    known: readonly string[],
  ) {
    super(`unknown ${what} "${modelName}"; available: ${known.length > 0 ? known.join(', ') : 'none'}`);
    this.name = 'ModelNotFoundError';
  }
}

export class ModelNameError extends Error {
  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.name = 'ModelNameError';
  }
}

export class ModelCatalog {
  private entries = new Map<string, ModelEntry>();

  /** Replaces the catalogue with what the directories (and built-in entries) hold; first name wins. */
  async refresh(dirs: readonly string[], builtins: readonly ModelEntry[] = []): Promise<ScanProblem[]> {
    const next = new Map<string, ModelEntry>();
    const problems: ScanProblem[] = [];
    const add = (entry: ModelEntry): void => {
      if (next.has(entry.name)) problems.push({ path: entry.path, reason: `duplicate name "${entry.name}" (kept ${next.get(entry.name)?.path})` });
      else next.set(entry.name, entry);
    };
    builtins.forEach(add);
    for (const dir of dirs) {
      const scanned = await scanModelsDir(dir);
      scanned.models.forEach(add);
      problems.push(...scanned.problems);
    }
    this.entries = next;
    return problems;
  }

  list(kind?: ModelKind): ModelEntry[] {
    return [...this.entries.values()].filter((entry) => !kind || entry.kind === kind);
  }

  /** Validates the name (INVALID_ARGUMENT material) and finds it (NOT_FOUND material) among `kinds`. */
  find(field: string, name: string, kinds: readonly ModelKind[]): ModelEntry {
    const problem = nameProblem(name);
    if (problem) throw new ModelNameError(field, problem);
    const entry = this.entries.get(name);
    if (!entry || !kinds.includes(entry.kind)) {
      throw new ModelNotFoundError(kinds.includes('lora') ? 'LoRA' : 'model', name, this.list().filter((e) => kinds.includes(e.kind)).map((e) => e.name));
    }
    return entry;
  }
}
