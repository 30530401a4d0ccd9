// Weights kept in host memory or cut into pieces, prepared on the host. A weight over the tensor limit
// (tensor-limit.ts; SD 1.5's CLIP token embedding is 151 MB against WebGPU's usual 128 MiB per binding) can
// never be one tensor on the device, so it is cut here, before any upload. Offloaded weights
// (ModelOptions.offloadWeights) are converted here too: host values in, host values out, no device involved.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterLayout, ParameterSpec } from './parameters.js';

/** A weight's values in host memory, row-major. */
export interface HostWeight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/**
 * The axis a weight is cut along: output features for linear ([I, O]) and conv ([kh, kw, I, O]) weights, so a
 * layer concatenates its pieces' outputs exactly; rows for a table (an embedding).
 */
export function pieceAxis(layout: ParameterLayout): number {
  return layout === 'linear' ? 1 : layout === 'conv' ? 3 : 0;
}

/**
 * A stored weight's values. Weights come from files as host data, and tfjs keeps data made on the host there
 * until a kernel needs it on a device, so this reads no device (webgpu could not: it has no synchronous read).
 */
function storedValues(name: string, t: tf.Tensor): Float32Array {
  let values: tf.TypedArray;
  try {
    values = t.dataSync() as tf.TypedArray;
  } catch (err) {
    throw new Error(`${name}: its values are on a device, not in host memory (${(err as Error).message})`);
  }
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** [rows, cols] → [cols, rows]. */
function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[from + c];
  }
  return out;
}

/** conv [O, I, kh, kw] → [kh, kw, I, O]. Tight loops: SD 1.5's UNet is 860M values. */
function convToCompute(values: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(values.length);
  const k = kh * kw;
  for (let oo = 0; oo < o; oo++) {
    for (let ii = 0; ii < i; ii++) {
      const from = (oo * i + ii) * k;
      for (let p = 0; p < k; p++) out[(p * i + ii) * o + oo] = values[from + p];
    }
  }
  return out;
}

/** A stored (PyTorch-layout) weight in compute layout, in host memory: what toComputeLayout does on a device. */
export function hostComputeLayout(spec: ParameterSpec, source: tf.Tensor): HostWeight {
  const values = storedValues(spec.name, source);
  switch (spec.layout) {
    case 'linear': {
      const [o, i] = spec.torchShape;
      return { values: transpose2d(values, o, i), shape: [i, o] };
    }
    case 'conv': {
      const [o, i, kh, kw] = spec.torchShape;
      return { values: convToCompute(values, o, i, kh, kw), shape: [kh, kw, i, o] };
    }
    case 'plain':
      // A copy: the cpu backend hands out its own storage.
      return { values: new Float32Array(values), shape: [...source.shape] };
  }
}

/** `weight` cut along `axis` into pieces of at most `maxElements` elements (at least one slice each). */
export function cutHost(weight: HostWeight, axis: number, maxElements: number): HostWeight[] {
  const { values, shape } = weight;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const perSlice = outer * inner;
  const step = Math.max(1, Math.floor(maxElements / perSlice));
  const pieces: HostWeight[] = [];
  for (let start = 0; start < shape[axis]; start += step) {
    const n = Math.min(step, shape[axis] - start);
    const out = new Float32Array(outer * n * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * shape[axis] + start) * inner;
      out.set(values.subarray(from, from + n * inner), o * n * inner);
    }
    pieces.push({ values: out, shape: shape.map((d, i) => (i === axis ? n : d)) });
  }
  return pieces;
}
