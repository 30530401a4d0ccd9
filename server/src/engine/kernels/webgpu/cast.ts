// Cast for webgpu. tfjs-backend-webgpu 4.22 casts int32 and bool to float32 by relabelling the tensor (no
// encoding loss, so "nothing to do"), but its buffer still holds integers: shaders that index the buffer
// directly (Transpose of rank 3+, among others) then mix i32 and f32 and fail to compile, and the result
// is silently zeros. This Cast converts the values; every other cast goes to the package's kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { flatProgram, type WebgpuBackendCalls, type WebgpuUtil } from './program.js';

export function castKernel(original: tf.KernelFunc, util: WebgpuUtil): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
    if (dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return original(args);
    const backend = args.backend as WebgpuBackendCalls;
    const values = backend.tensorMap.get(x.dataId).values;
    // Still on the CPU (tfjs keeps small tensors there): convert in JS, no upload.
    if (values != null) return backend.makeTensorInfo(x.shape, 'float32', Float32Array.from(values as Int32Array | Uint8Array));
    // The getter converts the i32 storage to f32; a scalar runs as one element.
    const shape = x.shape.length === 0 ? [1] : x.shape;
    const program = flatProgram(util, shape, 'engineCastToFloat32', ['A'], '    setOutputAtIndex(index, getAByOutputIndex(index));');
    const out = backend.runWebGPUProgram(program, [{ ...x, shape }], 'float32');
    return { dataId: out.dataId, shape: x.shape, dtype: 'float32' };
  };
}
