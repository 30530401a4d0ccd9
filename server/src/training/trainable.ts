// What a training run updates: the whole UNet (full fine-tune) or LoRA factors. The step code only sees this.
import type * as tf from '@tensorflow/tfjs-core';
import type { LoraNetwork } from './lora/lora-network.js';

export interface Trainable {
  /** The optimizer's parameters by stable name (diffusers names, or kohya tensor names for LoRA). */
  readonly variables: Map<string, tf.Variable>;
  /** Whether the text encoder's forward pass must run inside the gradient tape (text-encoder LoRA). */
  readonly trainsTextEncoder: boolean;
  /** Runs one synchronous forward pass with the weights being trained in place. */
  withEffectiveWeights<T>(f: () => T): T;
  /** Runs async work (validation sampling) with the trained weights in place, restoring afterwards. */
  withInferenceWeights<T>(f: () => Promise<T>): Promise<T>;
}

/** Full fine-tune: every UNet parameter is trained in place. */
export function fullUNetTrainable(parameters: Map<string, tf.Variable>): Trainable {
  for (const v of parameters.values()) v.trainable = true;
  return {
    variables: parameters,
    trainsTextEncoder: false,
    withEffectiveWeights: (f) => f(),
    withInferenceWeights: (f) => f(),
  };
}

export function loraTrainable(network: LoraNetwork, trainsTextEncoder: boolean): Trainable {
  return {
    variables: network.variables,
    trainsTextEncoder,
    withEffectiveWeights: (f) => network.withEffectiveWeights(f),
    withInferenceWeights: (f) => network.withEffectiveWeights(f),
  };
}
