// ArgMax for webgpu. tfjs-backend-webgpu 4.22 reduces axes of 32+ elements in a workgroup tree whose result
// among tied maxima depends on which invocation holds them, not on the index; PyTorch and the other backends
// return the first. CLIP pools its output at the end token by argmax over input ids in which padding repeats
// that token, so the first one matters. This ArgMax scans each row in order in one invocation: rows are short
// (77 tokens) wherever the engine takes an argmax.
import * as tf from '@tensorflow/tfjs-core';
import { flatProgram, type WebgpuBackendCalls, type WebgpuUtil } from './program.js';

export function argMaxKernel(transpose: tf.KernelFunc, util: WebgpuUtil): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, x.shape)[0];
    const backend = args.backend as WebgpuBackendCalls;
    // Move the reduced axis last, then view the input as rows.
    const perm = tf.backend_util.getAxesPermutation([axis], x.shape.length);
    const inner = perm === null ? x : (transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo);
    const n = inner.shape[inner.shape.length - 1];
    const outShape = inner.shape.slice(0, -1);
    const rows = outShape.reduce((a, b) => a * b, 1);
    const body = `    var best = 0;
    var bestValue = getX(index, 0);
    for (var k = 1; k < ${n}; k = k + 1) {
      let candidate = getX(index, k);
      if (candidate > bestValue) {
        bestValue = candidate;
        best = k;
      }
    }
    setOutputAtIndexI32(index, best);`;
    const program = flatProgram(util, [rows], `engineArgMaxFirst_${n}`, ['x'], body);
    const out = backend.runWebGPUProgram(program, [{ ...inner, shape: [rows, n] }], 'int32');
    if (inner !== x) backend.disposeData(inner.dataId);
    return { dataId: out.dataId, shape: outShape, dtype: 'int32' };
  };
}
