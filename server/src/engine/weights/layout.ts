// Conversion between PyTorch weight layout (as stored on disk) and the channels-last layout tfjs computes in.
// conv2d [O, I, kh, kw] <-> [kh, kw, I, O] (tf.conv2d's filter), linear [O, I] <-> [I, O] (so y = x @ W).
import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch layout -> compute layout: rank 4 is a conv kernel, rank 2 a linear weight; other ranks are cloned.
 * Always returns a new tensor (the input is left to the caller). Not for embedding tables, which are
 * rank 2 but indexed by row: use `paramToComputeLayout` when the parameter name is known.
 */
export function torchToComputeLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [2, 3, 1, 0]);
  if (t.rank === 2) return tf.transpose(t, [1, 0]);
  return t.clone();
}

/** Compute layout -> PyTorch layout; the exact inverse of torchToComputeLayout. */
export function computeToTorchLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [3, 2, 0, 1]);
  if (t.rank === 2) return tf.transpose(t, [1, 0]);
  return t.clone();
}

/**
 * Embedding tables (`token_embedding.weight`, `position_embedding.weight`, nn.Embedding in general) are looked
 * up by row and stay as stored; every other rank-2/4 `.weight` is a linear or conv kernel.
 */
export function isEmbeddingTable(name: string): boolean {
  return /(^|\.)[a-z_]*embedding\.weight$/.test(name);
}

/** torchToComputeLayout, except that embedding tables are kept as stored (cloned). */
export function paramToComputeLayout(name: string, t: tf.Tensor): tf.Tensor {
  return isEmbeddingTable(name) ? t.clone() : torchToComputeLayout(t);
}

/** computeToTorchLayout, except that embedding tables are kept as stored (cloned). */
export function paramToTorchLayout(name: string, t: tf.Tensor): tf.Tensor {
  return isEmbeddingTable(name) ? t.clone() : computeToTorchLayout(t);
}

/** The PyTorch-layout shape of a parameter held in compute layout (what torchToComputeLayout was given). */
export function torchShapeOf(computeShape: readonly number[]): number[] {
  if (computeShape.length === 4) {
    const [kh, kw, inChannels, outChannels] = computeShape;
    return [outChannels, inChannels, kh, kw];
  }
  if (computeShape.length === 2) return [computeShape[1], computeShape[0]];
  return [...computeShape];
}
