// The models held in memory (in the engine worker), whatever their kind: Stable Diffusion pipelines, CatVTON's
// variant of an inpainting one, TAESD, IP-Adapters. Each is loaded once per key (kind, path, variant) and all share
// one LRU within one memory budget, so a big model evicts an idle small one and the other way round; a model in use
// (leased and not yet released) is never evicted. Which models exist is the catalog's business.

/** What the registry needs of a model: a catalog entry (ModelEntry fits), or a variant of one. */
export interface ModelRef {
  /** For stats and logs. */
  readonly name: string;
  readonly path: string;
  /** What the budget counts (ModelEntry.memoryBytes: the weights as float32). */
  readonly memoryBytes: number;
  /** Weights loaded over `path` that make it another model (CatVTON's attention), so part of its key. */
  readonly variant?: string;
}

export interface LoadedValue<T> {
  readonly value: T;
  dispose(): void;
}

/** Loads a model's weights into memory (engine-specific); `dispose` frees them. */
export type ModelLoader<T> = (ref: ModelRef) => Promise<LoadedValue<T>>;

export interface ModelLease<T> {
  readonly ref: ModelRef;
  readonly value: T;
  /** Milliseconds spent loading for this lease (0 when it was already in memory). */
  readonly loadMs: number;
  release(): void;
}

/** One model in memory, as stats, logs and events show it. */
export interface ResidentModel {
  readonly kind: string;
  readonly name: string;
  readonly bytes: number;
  /** Jobs holding it now; 0 means idle, so evictable. */
  readonly leases: number;
}

export interface RegistryEvents {
  onLoaded?(model: ResidentModel, ms: number): void;
  onEvicted?(model: ResidentModel): void;
  onOverBudget?(model: ResidentModel, residentBytes: number, budgetBytes: number): void;
}

/** The registry's door for one kind of model: leases typed by that kind's loader. */
export interface ModelsOfKind<T> {
  readonly kind: string;
  isLoaded(ref: ModelRef): boolean;
  /** Loads (once) and pins the model until `release()`. */
  acquire(ref: ModelRef): Promise<ModelLease<T>>;
}

interface Slot {
  readonly kind: string;
  readonly ref: ModelRef;
  loaded?: LoadedValue<unknown>;
  loading?: Promise<LoadedValue<unknown>>;
  leases: number;
  lastUsed: number;
}

const keyOf = (kind: string, ref: ModelRef): string => `${kind}\n${ref.path}\n${ref.variant ?? ''}`;
const asResident = (slot: Slot): ResidentModel => ({ kind: slot.kind, name: slot.ref.name, bytes: slot.ref.memoryBytes, leases: slot.leases });

export class ModelRegistry {
  private readonly slots = new Map<string, Slot>();
  private readonly kinds = new Set<string>();
  private clock = 0;

  constructor(
    readonly budgetBytes: number,
    private readonly events: RegistryEvents = {},
  ) {}

  /** One loader per kind: a slot's value is then always of the type its kind's loader makes. */
  ofKind<T>(kind: string, loader: ModelLoader<T>): ModelsOfKind<T> {
    if (this.kinds.has(kind)) throw new Error(`model kind "${kind}" registered twice`);
    this.kinds.add(kind);
    return {
      kind,
      isLoaded: (ref) => this.slots.get(keyOf(kind, ref))?.loaded !== undefined,
      acquire: (ref) => this.acquire(kind, ref, loader),
    };
  }

  /** The models in memory, least recently used first. */
  resident(): ResidentModel[] {
    return [...this.slots.values()].filter((s) => s.loaded).sort((a, b) => a.lastUsed - b.lastUsed).map(asResident);
  }

  /** Bytes counted against the budget: models in memory and those being loaded. */
  residentBytes(): number {
    let total = 0;
    for (const s of this.slots.values()) if (s.loaded || s.loading) total += s.ref.memoryBytes;
    return total;
  }

  /** Frees every model not in use (shutdown, tests). */
  disposeAll(): void {
    for (const [key, slot] of this.slots) {
      if (slot.leases > 0 || !slot.loaded) continue;
      slot.loaded.dispose();
      this.slots.delete(key);
    }
  }

  private async acquire<T>(kind: string, ref: ModelRef, loader: ModelLoader<T>): Promise<ModelLease<T>> {
    const key = keyOf(kind, ref);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { kind, ref, leases: 0, lastUsed: 0 };
      this.slots.set(key, slot);
    }
    slot.leases++;
    slot.lastUsed = ++this.clock;
    let loadMs = 0;
    try {
      if (!slot.loaded) {
        const started = performance.now();
        if (!slot.loading) {
          this.makeRoomFor(slot);
          slot.loading = loader(ref);
        }
        const current = slot;
        slot.loaded = await slot.loading.finally(() => (current.loading = undefined));
        loadMs = Math.round(performance.now() - started);
        this.events.onLoaded?.(asResident(slot), loadMs);
      }
    } catch (error) {
      slot.leases--;
      if (!slot.loaded && slot.leases === 0) this.slots.delete(key);
      throw error;
    }
    const held = slot;
    let released = false;
    return {
      ref,
      value: held.loaded!.value as T,
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

  private makeRoomFor(slot: Slot): void {
    this.evictIdle(slot.ref.memoryBytes, slot);
    const after = this.residentBytes() + slot.ref.memoryBytes;
    if (after > this.budgetBytes) this.events.onOverBudget?.(asResident(slot), after, this.budgetBytes);
  }

  /** Evicts idle models of any kind, least recently used first, until `extraBytes` more would fit in the budget. */
  private evictIdle(extraBytes: number, keep?: Slot): void {
    const idle = [...this.slots.entries()].filter(([, s]) => s.loaded && s.leases === 0 && s !== keep).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    while (this.residentBytes() + extraBytes > this.budgetBytes && idle.length > 0) {
      const [key, victim] = idle.shift()!;
      victim.loaded?.dispose();
      this.slots.delete(key);
      this.events.onEvicted?.(asResident(victim));
    }
  }
}
