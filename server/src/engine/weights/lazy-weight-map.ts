// A WeightMap whose tensors are made only when a model binds them: `get` makes one tensor and frees the one
// handed out before, so binding a model with offloaded weights never holds more than one stored weight in
// backend memory. SD 1.5's UNet (3.4 GB in float32) is loaded this way on wasm, whose heap is 4 GB; the
// benchmarks draw random SD 1.5 weights through it.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodedTensor } from '../safetensors/reader.js';

/** Makes one stored-layout tensor; called each time the model reads the key. */
export type MakeTensor = () => tf.Tensor;

export class LazyWeightMap extends Map<string, tf.Tensor> {
  private readonly makers = new Map<string, { shape: readonly number[]; make: MakeTensor }>();
  private last: tf.Tensor | undefined;

  /** Records how to make `name`'s tensor of `shape` (keys keep insertion order, as a Map's do). */
  define(name: string, shape: readonly number[], make: MakeTensor): this {
    this.makers.set(name, { shape, make });
    return this;
  }

  /** The shape `name`'s tensor will have, without making it (models check every shape before binding). */
  shapeOf(name: string): readonly number[] | undefined {
    return this.makers.get(name)?.shape;
  }

  /** Keeps decoded values in host memory; `convert` (a key conversion that takes ownership) runs on each upload. */
  defineDecoded(name: string, decoded: DecodedTensor, convert?: (t: tf.Tensor) => tf.Tensor): this {
    const make = () => {
      const stored = tf.tensor(decoded.values, decoded.shape, decoded.dtype);
      return convert === undefined ? stored : convert(stored);
    };
    // A conversion may reshape (1x1 conv -> linear): learn its shape once from a throwaway upload.
    const shape = convert === undefined ? decoded.shape : tf.tidy(() => make().shape);
    return this.define(name, shape, make);
  }

  override get(name: string): tf.Tensor | undefined {
    const maker = this.makers.get(name);
    if (maker === undefined) return undefined;
    this.release();
    this.last = maker.make();
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
