// Case handlers by case type. Built-in types register in handlers/index.ts; other areas register their
// own (training registers `train_step` from server/src/training/conformance-train-step.ts).
import type { Check } from './compare.js';
import type { ConformanceCase } from './manifest.js';
import type { ModelCache } from './model-cache.js';
import type { TensorStore } from './tensor-store.js';

export interface CaseContext {
  /** The fixture folder (manifest paths are relative to it). */
  readonly root: string;
  readonly tensors: TensorStore;
  /** Models loaded once per run and shared by the cases that name the same folder or file. */
  readonly models: ModelCache;
}

/** Runs one case and returns every comparison it made; throwing counts as a failed case. */
export type CaseHandler = (c: ConformanceCase, ctx: CaseContext) => Promise<Check[]>;

const handlers = new Map<string, CaseHandler>();

export function registerCaseHandler(type: string, handler: CaseHandler): void {
  handlers.set(type, handler);
}

export function caseHandler(type: string): CaseHandler | undefined {
  return handlers.get(type);
}

export function registeredCaseTypes(): string[] {
  return [...handlers.keys()];
}
