// Random weights for benchmarking SD 1.5-sized models without downloading any: handed out one tensor at a
// time, so the model binds each into a variable right away and only one stored-layout copy exists at once
// (SD 1.5's UNet is 3.4 GB in float32, near wasm's 4 GB heap).
import type * as tf from '@tensorflow/tfjs-core';
import type { ParameterSpec } from '../../server/src/engine/models/layers/parameters.js';

/** Makes the stored-layout (PyTorch) tensor for one parameter. */
export type DrawWeight = (name: string, shape: number[]) => tf.Tensor;

/** Product of all dimensions but the first: the fan-in of a linear [O, I] or conv [O, I, kh, kw] weight. */
export function fanIn(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** A WeightMap that draws each tensor when the model reads it, disposing the previous one. */
export class StreamedRandomWeights extends Map<string, tf.Tensor> {
  private last: tf.Tensor | undefined;
  private readonly specs: Map<string, ParameterSpec>;

  constructor(
    specs: readonly ParameterSpec[],
    private readonly draw: DrawWeight,
  ) {
    super();
    this.specs = new Map(specs.map((s) => [s.name, s]));
  }

  override get(name: string): tf.Tensor | undefined {
    const spec = this.specs.get(name);
    if (!spec) return undefined;
    this.last?.dispose();
    this.last = this.draw(name, [...spec.torchShape]);
    return this.last;
  }

  override has(name: string): boolean {
    return this.specs.has(name);
  }

  override keys(): MapIterator<string> {
    return this.specs.keys();
  }

  override get size(): number {
    return this.specs.size;
  }

  /** Disposes the last tensor handed out (the model has copied it into a variable by then). */
  release(): void {
    this.last?.dispose();
    this.last = undefined;
  }
}
