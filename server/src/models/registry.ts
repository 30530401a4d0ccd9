// The models the server can serve, and the ones held in memory: loaded once, kept in an LRU within a
// memory budget; a model in use (acquired and not yet released) is never evicted.
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

/** Loads an entry's weights into memory (engine-specific); `dispose` frees them. */
export type ModelLoader<T> = (entry: ModelEntry) => Promise<LoadedValue<T>>;

export interface LoadedValue<T> {
  readonly value: T;
  dispose(): void;
}

export interface ModelLease<T> {
  readonly entry: ModelEntry;
  readonly value: T;
  /** Milliseconds spent loading for this lease (0 when it was already in memory). */
  readonly loadMs: number;
  release(): void;
}

interface Resident<T> {
  readonly entry: ModelEntry;
  loaded?: LoadedValue<T>;
  loading?: Promise<LoadedValue<T>>;
  leases: number;
  lastUsed: number;
}

export interface RegistryEvents {
  onLoaded?(entry: ModelEntry, ms: number): void;
  onEvicted?(entry: ModelEntry): void;
  onOverBudget?(entry: ModelEntry, residentBytes: number, budgetBytes: number): void;
}

export class ModelRegistry<T> {
  private entries = new Map<string, ModelEntry>();
  private readonly resident = new Map<string, Resident<T>>();
  private clock = 0;

  constructor(
    private readonly loader: ModelLoader<T>,
    private readonly budgetBytes: number,
    private readonly events: RegistryEvents = {},
  ) {}

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

  isLoaded(name: string): boolean {
    return this.resident.get(name)?.loaded !== undefined;
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

  /** Loads (once) and pins the model until `release()`. */
  async acquire(entry: ModelEntry): Promise<ModelLease<T>> {
    let resident = this.resident.get(entry.name);
    if (!resident) {
      resident = { entry, leases: 0, lastUsed: 0 };
      this.resident.set(entry.name, resident);
    }
    resident.leases++;
    resident.lastUsed = ++this.clock;
    let loadMs = 0;
    try {
      if (!resident.loaded) {
        const started = performance.now();
        if (!resident.loading) {
          this.makeRoomFor(entry);
          resident.loading = this.loader(entry);
        }
        const current = resident;
        resident.loaded = await resident.loading.finally(() => (current.loading = undefined));
        loadMs = Math.round(performance.now() - started);
        this.events.onLoaded?.(entry, loadMs);
      }
    } catch (error) {
      resident.leases--;
      if (!resident.loaded && resident.leases === 0) this.resident.delete(entry.name);
      throw error;
    }
    const held = resident;
    let released = false;
    return {
      entry,
      value: held.loaded!.value,
      loadMs,
      release: () => {
        if (released) return;
        released = true;
        held.leases--;
        held.lastUsed = ++this.clock;
        // A model loaded over budget (others were in use) goes as soon as it is idle and still too much.
        this.evictIdle(0);
      },
    };
  }

  residentBytes(): number {
    let total = 0;
    for (const r of this.resident.values()) if (r.loaded || r.loading) total += r.entry.memoryBytes;
    return total;
  }

  loadedCount(): number {
    return [...this.resident.values()].filter((r) => r.loaded).length;
  }

  /** Frees every model not in use (shutdown, tests). */
  disposeAll(): void {
    for (const [name, r] of this.resident) {
      if (r.leases > 0 || !r.loaded) continue;
      r.loaded.dispose();
      this.resident.delete(name);
    }
  }

  private makeRoomFor(entry: ModelEntry): void {
    this.evictIdle(entry.memoryBytes, entry.name);
    const after = this.residentBytes() + entry.memoryBytes;
    if (after > this.budgetBytes) this.events.onOverBudget?.(entry, after, this.budgetBytes);
  }

  /** Evicts idle models, least recently used first, until `extraBytes` more would fit in the budget. */
  private evictIdle(extraBytes: number, keep?: string): void {
    const idle = [...this.resident.values()]
      .filter((r) => r.loaded && r.leases === 0 && r.entry.name !== keep)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.residentBytes() + extraBytes > this.budgetBytes && idle.length > 0) {
      const victim = idle.shift()!;
      victim.loaded?.dispose();
      this.resident.delete(victim.entry.name);
      this.events.onEvicted?.(victim.entry);
    }
  }
}
