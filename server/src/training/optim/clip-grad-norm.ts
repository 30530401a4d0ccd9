// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: one L2 norm over every gradient, then all
// gradients scaled by min(1, maxNorm / (norm + 1e-6)).
import * as tf from '@tensorflow/tfjs-core';

export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const squares = [...grads].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(squares.length === 0 ? tf.scalar(0) : tf.addN(squares)) as tf.Scalar;
  });
}

/**
 * Returns the norm before clipping and new, clipped gradients (the inputs are left to the caller).
 * maxNorm <= 0 or Infinity turns clipping off (the gradients are cloned).
 */
export async function clipByGlobalNorm(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number,
): Promise<{ norm: number; clipped: Map<string, tf.Tensor> }> {
  const normT = globalNorm(grads.values());
  let norm: number;
  try {
    norm = (await normT.data())[0];
  } finally {
    normT.dispose();
  }
  const scale = maxNorm > 0 && Number.isFinite(maxNorm) ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) clipped.set(name, scale === 1 ? g.clone() : tf.mul(g, scale));
  return { norm, clipped };
}
