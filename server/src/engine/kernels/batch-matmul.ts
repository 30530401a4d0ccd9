// BatchMatMul for wasm, in front of the backend's own: tfjs-backend-wasm 4.22 hands a product to XNNPACK only
// when both sides have batch 1 and neither is transposed; everything else (attention's q·kᵀ, every multi-head
// product, the gradients' transposed products) runs a scalar triple loop, 5-20x slower. Here those become
// XNNPACK products: a transposed side is transposed once (a copy, cheap next to the product), a batch shared by
// one side is folded into the rows, and other batches run entry by entry.
import * as tf from '@tensorflow/tfjs-core';
import { inFrontOfWasmKernel } from './in-front.js';
import { asTensor } from './with-tensors.js';

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

const product = (dims: readonly number[]) => dims.reduce((x, y) => x * y, 1);

/** The output's batch dimensions: a's and b's broadcast (tfjs broadcasts them like element-wise ops). */
function batchShape(a: readonly number[], b: readonly number[]): number[] {
  return tf.backend_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2));
}

/** Wraps the backend's BatchMatMul `stock`, which still runs the products it sends to XNNPACK itself. */
export function batchMatMulOverXnnpack(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as Attrs;
    const batchA = product(a.shape.slice(0, -2));
    const batchB = product(b.shape.slice(0, -2));
    const onXnnpack = !transposeA && !transposeB && batchA === 1 && batchB === 1;
    // Batches that broadcast other than one side being 1 ([2, 1] against [1, 3]) keep the stock kernel.
    if (onXnnpack || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return stock(args);
    return tf.tidy(() => {
      const sides = (info: tf.TensorInfo, batch: number, transpose: boolean) => {
        const [rows, cols] = info.shape.slice(-2);
        const t = tf.reshape(asTensor(info), [batch, rows, cols]) as tf.Tensor3D;
        return transpose ? tf.transpose(t, [0, 2, 1]) : t;
      };
      const x = sides(a, batchA, transposeA);
      const y = sides(b, batchB, transposeB);
      const [, m, k] = x.shape;
      const n = y.shape[2];
      let out: tf.Tensor;
      if (batchB === 1) {
        // One right-hand side for every batch entry: a single product over all their rows.
        out = tf.matMul(tf.reshape(x, [batchA * m, k]), tf.reshape(y, [k, n]));
      } else {
        const entry = (t: tf.Tensor3D, i: number) => tf.reshape(tf.slice(t, [t.shape[0] === 1 ? 0 : i, 0, 0], [1, -1, -1]), t.shape.slice(1));
        const products = Array.from({ length: batchB }, (_, i) => tf.matMul(entry(x, i) as tf.Tensor2D, entry(y, i) as tf.Tensor2D));
        out = tf.stack(products);
      }
      return tf.reshape(out, [...batchShape(a.shape, b.shape), m, n]);
    });
  };
}

/** Puts batchMatMulOverXnnpack in front of wasm's BatchMatMul; idempotent. */
export function registerWasmBatchMatMul(): void {
  inFrontOfWasmKernel('BatchMatMul', batchMatMulOverXnnpack);
}
