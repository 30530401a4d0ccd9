// Kernels training needs that @tensorflow/tfjs-backend-wasm 4.22 does not ship, built from kernels it has.
// The gradients of the engine's models touch, besides kernels wasm already has, only these two; a third
// replaces wasm's own, slow, convolution input gradient.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';
import { registerGradients } from './gradients.js';

export { registerGradients } from './gradients.js';

const KERNELS: Array<[string, tf.KernelFunc]> = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter as unknown as tf.KernelFunc],
  ['UnsortedSegmentSum', unsortedSegmentSum as unknown as tf.KernelFunc],
];

/** The kernel names registerWasmTrainingKernels provides. */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map(([name]) => name);

/** Registers the missing training kernels for the wasm backend; idempotent, harmless if wasm is not used. */
export function registerWasmTrainingKernels(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    }
  }
  const backpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (backpropInput !== undefined && backpropInput.kernelFunc !== (conv2dBackpropInput as unknown as tf.KernelFunc)) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc });
  }
}

/** Everything training on this process needs: gradient functions, and on wasm the missing kernels. */
export async function registerTrainingSupport(): Promise<void> {
  registerWasmTrainingKernels();
  await registerGradients();
}
