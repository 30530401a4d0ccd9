// Random weights for benchmarking SD 1.5-sized models without downloading any: drawn one tensor at a time as
// the model binds it (a LazyWeightMap), so only one stored-layout copy exists at once (SD 1.5's UNet is
// 3.4 GB in float32, near wasm's 4 GB heap).
import type * as tf from '@tensorflow/tfjs-core';
import { type ParameterSpec, LazyWeightMap } from '@fitting-room/server/engine';

/** Makes the stored-layout (PyTorch) tensor for one parameter. */
export type DrawWeight = (name: string, shape: number[]) => tf.Tensor;

/** Product of all dimensions but the first: the fan-in of a linear [O, I] or conv [O, I, kh, kw] weight. */
export function fanIn(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** A WeightMap that draws each parameter's tensor when the model reads it; `release()` frees the last one. */
export function streamedRandomWeights(specs: readonly ParameterSpec[], draw: DrawWeight): LazyWeightMap {
  const weights = new LazyWeightMap();
  for (const spec of specs) weights.define(spec.name, spec.torchShape, () => draw(spec.name, [...spec.torchShape]));
  return weights;
}
