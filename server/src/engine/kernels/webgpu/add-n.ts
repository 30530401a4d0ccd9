// AddN for webgpu. tfjs-backend-webgpu 4.22 sums all inputs in one shader: one storage binding per input
// (WebGPU allows 8 to 16 per shader stage) and one expression a0 + a1 + … (WGSL caps its nesting depth), so
// the gradient-norm sum over hundreds of parameters is invalid and silently zero. This sums in groups small
// enough for both, then sums the partial sums the same way.
import type * as tf from '@tensorflow/tfjs-core';

/** Inputs per shader: a storage binding is also needed for the output. */
export function addNGroupSize(maxStorageBuffersPerShaderStage: number): number {
  return Math.max(2, Math.min(8, maxStorageBuffersPerShaderStage - 1));
}

export function addNKernel(original: tf.KernelFunc, groupSize: number): tf.KernelFunc {
  return (args) => {
    let level = args.inputs as unknown as tf.TensorInfo[];
    const partials: tf.TensorInfo[] = [];
    while (level.length > groupSize) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += groupSize) {
        const group = level.slice(i, i + groupSize);
        if (group.length === 1) {
          next.push(group[0]);
          continue;
        }
        const sum = original({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
        partials.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const result = original({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
    // The backend keeps a buffer alive until the queued shaders that read it have run.
    for (const p of partials) (args.backend as tf.KernelBackend).disposeData(p.dataId);
    return result;
  };
}
