// UnsortedSegmentSum for wasm (the gradient of gather, i.e. of embedding lookups): a scatter-add, which
// wasm's ScatterNd does (it sums updates at repeated indices, as TensorFlow's scatter_nd does).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './with-tensors.js';

export function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  return tf.tidy(() => {
    const inputs = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const x = asTensor(inputs.x);
    const ids = asTensor(inputs.segmentIds);
    const k = ids.size;
    const rest = x.shape.slice(ids.rank);
    const values = tf.reshape(x, [k, ...rest]);
    const idx = tf.reshape(ids, [k, 1]); // int32: the op checks it
    return tf.scatterND(idx, values, [numSegments, ...rest]);
  });
}
