// The models held in memory (in the engine worker): loaded once, kept in an LRU within a memory budget; a
// model in use (acquired and not yet released) is never evicted. Which models exist is the catalog's business.
import type { ModelEntry } from './scan.js';

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
  private readonly resident = new Map<string, Resident<T>>();
  private clock = 0;

  constructor(
    private readonly loader: ModelLoader<T>,
    private readonly budgetBytes: number,
    private readonly events: RegistryEvents = {},
  ) {}

  isLoaded(name: string): boolean {
    return this.resident.get(name)?.loaded !== undefined;
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

  /** Names of the models in memory. */
  loadedNames(): string[] {
    return [...this.resident.values()].filter((r) => r.loaded).map((r) => r.entry.name);
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
