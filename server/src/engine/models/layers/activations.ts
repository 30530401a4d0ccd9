// Activation functions, composed from ops every tfjs backend has a kernel and a gradient for.
import * as tf from '@tensorflow/tfjs-core';

/** SiLU / swish: x * sigmoid(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** CLIP's quick_gelu: x * sigmoid(1.702 x). */
export function quickGelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/**
 * Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default. Every backend we run has an Erf kernel;
 * wasm's is within 6e-8 of the true erf (server/tests/engine/models-layout.test.ts measures it), i.e. float32-exact.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

export type ActivationName = 'silu' | 'quick_gelu' | 'gelu';

export function activation(name: ActivationName): <T extends tf.Tensor>(x: T) => T {
  switch (name) {
    case 'silu':
      return silu;
    case 'quick_gelu':
      return quickGelu;
    case 'gelu':
      return gelu;
  }
}
