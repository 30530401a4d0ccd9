// Work-arounds for tfjs-backend-webgpu 4.22 kernels that return wrong numbers without any error (see each
// file), registered over the package's own for the "webgpu" backend.
import * as tf from '@tensorflow/tfjs-core';
import type { GpuLimits } from '../../webgpu/gpu-types.js';
import { addNGroupSize, addNKernel } from './add-n.js';
import { argMaxKernel } from './arg-max.js';
import { castKernel } from './cast.js';
import type { WebgpuUtil } from './program.js';

/** What the engine uses of the imported @tensorflow/tfjs-backend-webgpu module. */
export interface TfjsWebgpuModule {
  readonly webgpu_util: WebgpuUtil;
}

/** The kernels replaced on webgpu. */
export const WEBGPU_KERNEL_FIXES: readonly string[] = ['Cast', 'AddN', 'ArgMax'];

const replaced = new Set<string>();

/** Idempotent: the package's own kernels are wrapped once. */
export function registerWebgpuKernelFixes(mod: TfjsWebgpuModule, limits: Pick<GpuLimits, 'maxStorageBuffersPerShaderStage'>): void {
  const own = (name: string): tf.KernelFunc => {
    const config = tf.getKernel(name, 'webgpu');
    if (config === undefined) throw new Error(`tfjs-backend-webgpu has no ${name} kernel to replace`);
    return config.kernelFunc;
  };
  const fixes: Record<string, () => tf.KernelFunc> = {
    Cast: () => castKernel(own('Cast'), mod.webgpu_util),
    AddN: () => addNKernel(own('AddN'), addNGroupSize(limits.maxStorageBuffersPerShaderStage)),
    ArgMax: () => argMaxKernel(own('Transpose'), mod.webgpu_util),
  };
  for (const name of WEBGPU_KERNEL_FIXES) {
    if (replaced.has(name)) continue;
    const kernelFunc = fixes[name]();
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc });
    replaced.add(name);
  }
}
