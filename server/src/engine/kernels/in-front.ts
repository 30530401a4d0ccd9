// Puts an engine kernel in front of one of tfjs-backend-wasm's: the wrapper gets the stock kernel to hand the
// cases it does not improve back to.
import * as tf from '@tensorflow/tfjs-core';

const wrapped = new Set<string>();

/** Registers `wrap(stock)` as wasm's `kernelName`; once per kernel, and not at all if wasm has none. */
export function inFrontOfWasmKernel(kernelName: string, wrap: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  if (wrapped.has(kernelName)) return;
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: wrap(stock.kernelFunc) });
  wrapped.add(kernelName);
}
