// Runs layers one after another so that each intermediate result is freed as soon as the next layer has
// consumed it: step k runs inside a tidy that also owns step k-1's output. A flat loop of tidies would
// keep every intermediate alive until the caller's tidy ends (hundreds of MB for SD 1.5 at 64x64 latents,
// gigabytes for a 512x512 VAE decode). Safe under gradient recording: tidy never frees tensors the gradient
// tape has kept.
import * as tf from '@tensorflow/tfjs-core';

export type Step<T extends tf.TensorContainer> = (x: T) => T;

/** `x` may be a list of tensors (the UNet's state: h and its skip stack); what a step passes on survives. */
export function chainTidy<T extends tf.TensorContainer>(x: T, steps: readonly Step<T>[]): T {
  const run = steps.reduce<() => T>((inner, step) => () => tf.tidy(() => step(inner())), () => x);
  return run();
}
