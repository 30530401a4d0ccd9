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

/** The attributes tfjs gives both convolution gradient kernels. */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Sizes, strides and padding of the forward convolution a gradient kernel differentiates. */
export function forwardConvInfo(attrs: ConvGradAttrs, xShape: number[], filterShape: number[]): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}
