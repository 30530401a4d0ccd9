// Slice for wasm, in front of the backend's own: tfjs-backend-wasm 4.22 reads its input with readSync, which
// copies the whole input out of the wasm heap on every call (attention's per-head slices of a [16, 4096, 40]
// tensor took 8 ms each, 2 s of an SD 1.5 step). Here the input is read in place, through a view of the heap.
import * as tf from '@tensorflow/tfjs-core';
import { inFrontOfWasmKernel } from './in-front.js';

/** What this kernel uses of the wasm backend (BackendWasm). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copies the slice row by row: runs of the innermost dimension are contiguous in both tensors. */
export function sliceFromHeap(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(extent, x.dtype);
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, start, extent)) {
      const offset = tf.slice_util.computeFlatOffset(start, strides);
      target.set(source.subarray(offset, offset + target.length));
      return out;
    }
    const rank = x.shape.length;
    const run = extent[rank - 1];
    const rows = target.length / Math.max(run, 1);
    const index = new Array<number>(rank - 1).fill(0);
    for (let row = 0; row < rows; row++) {
      let offset = start[rank - 1];
      for (let d = 0; d < rank - 1; d++) offset += (start[d] + index[d]) * strides[d];
      target.set(source.subarray(offset, offset + run), row * run);
      // Next row: the outer indices counted like an odometer.
      for (let d = rank - 2; d >= 0 && ++index[d] === extent[d]; d--) index[d] = 0;
    }
    return out;
  };
}

/** Puts sliceFromHeap in front of wasm's Slice; idempotent. */
export function registerWasmSlice(): void {
  inFrontOfWasmKernel('Slice', sliceFromHeap);
}
