// Conv2DBackpropFilter for wasm: the weight gradient of every convolution. dW[i, j] = patches(i, j)^T @ dy,
// done as one matmul over the input's shifted (strided) windows concatenated along channels (im2col).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, type ConvGradAttrs, forwardConvInfo } from './with-tensors.js';

interface Attrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const attrs = args.attrs as unknown as Attrs;
  const { x: xInfo, dy: dyInfo } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = forwardConvInfo(attrs, xInfo.shape, attrs.filterShape);
  return tf.tidy(() => {
    let x = asTensor(xInfo) as tf.Tensor4D;
    let dy = asTensor(dyInfo) as tf.Tensor4D;
    if (info.dataFormat === 'channelsFirst') {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight, outWidth } = info;
    const { inHeight, inWidth, inChannels, outChannels, batchSize } = info;
    const rows = batchSize * outHeight * outWidth;
    const dy2 = tf.reshape(dy, [rows, outChannels]);
    const { top, left } = info.padInfo;
    // Pad so every window the forward pass read (including padding) lies inside the tensor.
    const needH = (outHeight - 1) * sh + fh;
    const needW = (outWidth - 1) * sw + fw;
    const bottom = Math.max(0, needH - inHeight - top);
    const right = Math.max(0, needW - inWidth - left);
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const windows: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const end = [batchSize, i + (outHeight - 1) * sh + 1, j + (outWidth - 1) * sw + 1, inChannels];
        windows.push(
          sh === 1 && sw === 1
            ? tf.slice(xp, [0, i, j, 0], [batchSize, outHeight, outWidth, inChannels])
            : tf.stridedSlice(xp, [0, i, j, 0], end, [1, sh, sw, 1]),
        );
      }
    }
    const patches = windows.length === 1 ? windows[0] : tf.concat(windows, 3);
    const dw = tf.matMul(tf.reshape(patches, [rows, fh * fw * inChannels]), dy2, true, false);
    return tf.reshape(dw, [fh, fw, inChannels, outChannels]);
  });
}
