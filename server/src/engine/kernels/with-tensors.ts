// Kernels here are composed from tf ops the wasm backend already has: wrap the kernel's TensorInfos as
// Tensors, compute inside a tidy, and hand the result back. Backprop kernels run with the tape off, so the
// nested ops are not recorded.
import * as tf from '@tensorflow/tfjs-core';

/**
 * A Tensor view of a kernel input. The engine does not count a reference for a wrapped dataId but the
 * wrapper's dispose releases one, so take a reference first (else disposing the view frees the caller's data).
 */
export function asTensor(info: tf.TensorInfo): tf.Tensor {
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info);
}
