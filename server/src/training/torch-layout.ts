// Model parameters between compute layout and the PyTorch layout files store, by each parameter's declared layout.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterSpec } from '../engine/training.js';

export function toTorchLayout(t: tf.Tensor, spec: ParameterSpec): tf.Tensor {
  return tf.tidy(() => {
    if (spec.layout === 'conv') return tf.transpose(t, [3, 2, 0, 1]);
    if (spec.layout === 'linear') return tf.reshape(tf.transpose(t), [...spec.torchShape]);
    return t.clone();
  });
}

export function fromTorchLayout(t: tf.Tensor, spec: ParameterSpec): tf.Tensor {
  return tf.tidy(() => {
    if (spec.layout === 'conv') return tf.transpose(t, [2, 3, 1, 0]);
    if (spec.layout === 'linear') return tf.transpose(t.rank === 4 ? tf.reshape(t, [...spec.torchShape]) : t);
    return t.clone();
  });
}

/** Every parameter in PyTorch layout (new tensors; the caller disposes them). */
export function torchWeights(
  values: ReadonlyMap<string, tf.Tensor>,
  specs: ReadonlyMap<string, ParameterSpec>,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, spec] of specs) {
    const t = values.get(name);
    if (t === undefined) throw new Error(`no value for parameter ${name}`);
    out.set(name, toTorchLayout(t, spec));
  }
  return out;
}
