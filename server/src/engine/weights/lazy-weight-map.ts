// A WeightMap whose tensors are made only when a model binds them: `get` makes one tensor and frees the one
// handed out before, so binding a model with offloaded weights never holds more than one stored weight in
// backend memory. SD 1.5's UNet (3.4 GB in float32) is loaded this way on wasm, whose heap is 4 GB; the
// benchmarks draw random SD 1.5 weights through it.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodedTensor } from '../safetensors/reader.js';

/** Makes one stored-layout tensor; called each time the model reads the key. */
export type MakeTensor = () => tf.Tensor;

export class LazyWeightMap extends Map<string, tf.Tensor> {
  private readonly makers = new Map<string, MakeTensor>();
  private last: tf.Tensor | undefined;

  /** Records how to make `name`'s tensor (keys keep insertion order, as a Map's do). */
  define(name: string, make: MakeTensor): this {
    this.makers.set(name, make);
    return this;
  }

  /** Keeps decoded values in host memory; `convert` (a key conversion that takes ownership) runs on each upload. */
  defineDecoded(name: string, decoded: DecodedTensor, convert?: (t: tf.Tensor) => tf.Tensor): this {
    return this.define(name, () => {
      const stored = tf.tensor(decoded.values, decoded.shape, decoded.dtype);
      return convert === undefined ? stored : convert(stored);
    });
  }

  override get(name: string): tf.Tensor | undefined {
    const make = this.makers.get(name);
    if (make === undefined) return undefined;
    this.release();
    this.last = make();
    return this.last;
  }

  override has(name: string): boolean {
    return this.makers.has(name);
  }

  override delete(name: string): boolean {
    return this.makers.delete(name);
  }

  override keys(): MapIterator<string> {
    return this.makers.keys();
  }

  override get size(): number {
    return this.makers.size;
  }

  /** Frees the tensor handed out last (the model has copied it by then). */
  release(): void {
    this.last?.dispose();
    this.last = undefined;
  }

  override clear(): void {
    this.release();
    this.makers.clear();
  }
}
