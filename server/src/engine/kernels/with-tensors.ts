// Kernels here are composed from tf ops the wasm backend already has: wrap the kernel's TensorInfos as
// Tensors, compute inside a tidy, and hand the result back. Backprop kernels run with the tape off, so the
// nested ops are not recorded.
import * as tf from '@tensorflow/tfjs-core';

export function asTensor(info: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}
