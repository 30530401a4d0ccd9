// A single-file key map is a list of (diffusers name <- original name, how to convert) pairs.
import * as tf from '@tensorflow/tfjs-core';

export interface KeyPair {
  readonly diffusers: string;
  readonly original: string;
  /** Absent from some checkpoints by design (e.g. a resnet shortcut when channels do not change). */
  readonly optional?: boolean;
  /** Conversion of the stored tensor (1x1 conv -> linear, slice of a fused projection); takes ownership. */
  readonly convert?: (t: tf.Tensor) => tf.Tensor;
}

/** [C, C, 1, 1] -> [C, C]; a tensor already rank 2 (or a bias) passes unchanged. */
export function squeeze1x1(t: tf.Tensor): tf.Tensor {
  if (t.rank !== 4) return t;
  const out = tf.reshape(t, t.shape.slice(0, 2));
  t.dispose();
  return out;
}

export function weightAndBias(
  diffusers: string,
  original: string,
  opts: { optional?: boolean; squeeze1x1?: boolean } = {},
): KeyPair[] {
  const convert = opts.squeeze1x1 ? squeeze1x1 : undefined;
  return ['weight', 'bias'].map((p) => ({ diffusers: `${diffusers}.${p}`, original: `${original}.${p}`, optional: opts.optional, convert }));
}

/** weight+bias pairs for each [diffusers child, original child] of one module. */
export function modulePairs(diffusers: string, original: string, children: [string, string][]): KeyPair[] {
  return children.flatMap(([d, o]) => weightAndBias(`${diffusers}.${d}`, `${original}.${o}`));
}
