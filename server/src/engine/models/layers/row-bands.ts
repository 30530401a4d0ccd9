// Activations over the tensor limit (tensor-limit.ts) held as bands of rows. SD 1.5's VAE decoder at 512x512
// has 256-channel activations of 256 MiB; a WebGPU binding often takes 128 MiB. Convolutions, GroupNorm and
// nearest upsampling each work band by band, exactly: a convolution reads its neighbours' rows (and zero rows
// past the edges), GroupNorm sums its statistics over every band before normalizing any. Layers offer
// `applyBands` beside `apply`; runBandedSteps uses the bands only from the first step whose tensors would not fit.
import * as tf from '@tensorflow/tfjs-core';
import { maxTensorBytes } from '../../tensor-limit.js';

/** An NHWC activation [B, H, W, C] as bands of consecutive rows, top to bottom: [B, rows_i, W, C]. */
export type RowBands = tf.Tensor4D[];

/** Bytes of a float32 tensor of `shape`. */
export function bytesOf(shape: readonly number[]): number {
  return 4 * shape.reduce((a, b) => a * b, 1);
}

export function bandsHeight(bands: RowBands): number {
  return bands.reduce((h, band) => h + band.shape[1], 0);
}

/** The most rows of `bytesPerRow` bytes one tensor may hold, less `extraRows`; at least one or an error. */
export function rowsThatFit(bytesPerRow: number, extraRows = 0): number {
  const rows = Math.floor(maxTensorBytes() / bytesPerRow) - extraRows;
  if (rows < 1) throw new Error(`a ${bytesPerRow}-byte row of an activation is over the ${maxTensorBytes()}-byte limit on one tensor`);
  return rows;
}

/** Rows [start, end) of the banded activation as one tensor; rows outside [0, H) are zeros (padding). */
export function readRows(bands: RowBands, start: number, end: number): tf.Tensor4D {
  const [b, , w, c] = bands[0].shape;
  const height = bandsHeight(bands);
  const parts: tf.Tensor4D[] = [];
  if (start < 0) parts.push(tf.zeros([b, Math.min(end, 0) - start, w, c]));
  let top = 0;
  for (const band of bands) {
    const rows = band.shape[1];
    const from = Math.max(start, top);
    const to = Math.min(end, top + rows);
    if (from < to) parts.push(from === top && to === top + rows ? band : tf.slice(band, [0, from - top, 0, 0], [b, to - from, w, c]));
    top += rows;
  }
  if (end > height) parts.push(tf.zeros([b, end - Math.max(start, height), w, c]));
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor4D);
}

/** One tensor of the bands (it must fit the limit). */
export function joinRows(bands: RowBands): tf.Tensor4D {
  return bands.length === 1 ? bands[0] : (tf.concat(bands, 1) as tf.Tensor4D);
}

/** `fn` on each band, each in its own tidy (element-wise layers). */
export function mapBands(bands: RowBands, fn: (band: tf.Tensor4D) => tf.Tensor4D): RowBands {
  return bands.map((band) => tf.tidy(() => fn(band)));
}

/** `fn(a_i, b rows alike)` band by band of `a`: `b` may be cut at other rows. */
export function zipBands(a: RowBands, b: RowBands, fn: (x: tf.Tensor4D, y: tf.Tensor4D) => tf.Tensor4D): RowBands {
  let top = 0;
  return a.map((band) => {
    const rows = band.shape[1];
    const out = tf.tidy(() => fn(band, readRows(b, top, top + rows)));
    top += rows;
    return out;
  });
}

export interface ConvGeometry {
  readonly kernel: number;
  readonly stride: number;
  /** Zero rows above and below, zero columns left and right, as PyTorch's padding (may differ per side). */
  readonly pad: { readonly top: number; readonly bottom: number; readonly left: number; readonly right: number };
  readonly outChannels: number;
}

/**
 * A convolution over bands: each output band reads the input rows it needs from whichever bands hold them,
 * zero-padded as `geometry` says, then runs `validConv` ('valid' padding) on that slab. Output bands are as
 * tall as both the slab and the output band fit the limit.
 */
export function convolveRows(bands: RowBands, geometry: ConvGeometry, validConv: (slab: tf.Tensor4D) => tf.Tensor4D): RowBands {
  const { kernel: k, stride: s, pad, outChannels } = geometry;
  const [b, , w, c] = bands[0].shape;
  const height = bandsHeight(bands);
  const outHeight = Math.floor((height + pad.top + pad.bottom - k) / s) + 1;
  const paddedWidth = w + pad.left + pad.right;
  const outWidth = Math.floor((paddedWidth - k) / s) + 1;
  // R output rows read (R - 1) * s + k input rows.
  const slabRows = rowsThatFit(bytesOf([b, 1, paddedWidth, c]));
  const rows = Math.min(Math.floor((slabRows - k) / s) + 1, rowsThatFit(bytesOf([b, 1, outWidth, outChannels])));
  if (rows < 1) throw new Error(`a ${k}-row convolution slab of ${bytesOf([b, k, paddedWidth, c])} bytes is over the ${maxTensorBytes()}-byte limit`);
  const out: RowBands = [];
  for (let first = 0; first < outHeight; first += rows) {
    const last = Math.min(outHeight, first + rows);
    out.push(
      tf.tidy(() => {
        const slab = readRows(bands, first * s - pad.top, (last - 1) * s - pad.top + k);
        const sides = pad.left + pad.right > 0 ? tf.pad(slab, [[0, 0], [0, 0], [pad.left, pad.right], [0, 0]]) : slab;
        return validConv(sides);
      }),
    );
  }
  return out;
}

/** Nearest-neighbour 2x upsampling per band (output row j is input row floor(j / 2), within one band). */
export function upsampleRows2x(bands: RowBands): RowBands {
  const [b, , w, c] = bands[0].shape;
  const rows = Math.max(1, Math.floor(rowsThatFit(bytesOf([b, 1, 2 * w, c])) / 2));
  const out: RowBands = [];
  for (const band of bands) {
    for (let first = 0; first < band.shape[1]; first += rows) {
      const n = Math.min(rows, band.shape[1] - first);
      out.push(tf.tidy(() => tf.image.resizeNearestNeighbor(tf.slice(band, [0, first, 0, 0], [b, n, w, c]), [2 * n, 2 * w])));
    }
  }
  return out;
}

/** One step of a layer chain: its whole-tensor form, its banded form, and the largest tensor the former makes. */
export interface BandedStep {
  readonly whole: (x: tf.Tensor4D) => tf.Tensor4D;
  readonly bands: (x: RowBands) => RowBands;
  readonly peakBytes: (inputShape: readonly number[]) => number;
}

/** A layer with both forms as a step. */
export function layerStep(layer: {
  apply(x: tf.Tensor4D): tf.Tensor4D;
  applyBands(x: RowBands): RowBands;
  peakBytes(inputShape: readonly number[]): number;
}): BandedStep {
  return { whole: (x) => layer.apply(x), bands: (x) => layer.applyBands(x), peakBytes: (shape) => layer.peakBytes(shape) };
}

/** A step that only exists whole (attention over every pixel): bands are joined first, which must fit. */
export function wholeStep(apply: (x: tf.Tensor4D) => tf.Tensor4D): BandedStep {
  return { whole: apply, bands: (x) => [apply(joinRows(x))], peakBytes: () => 0 };
}

/**
 * Runs the steps one after the other, each in a tidy that also frees the step before's output (as chainTidy),
 * on whole tensors while a step's tensors fit the limit and on bands from the first step whose do not. The
 * result is one tensor (it must fit).
 */
export function runBandedSteps(x: tf.Tensor4D, steps: readonly BandedStep[]): tf.Tensor4D {
  type State = tf.Tensor4D | RowBands;
  const run = steps.reduce<() => State>(
    (inner, step) => () =>
      tf.tidy(() => {
        const state = inner();
        if (Array.isArray(state)) return step.bands(state);
        return step.peakBytes(state.shape) > maxTensorBytes() ? step.bands([state]) : step.whole(state);
      }),
    () => x,
  );
  return tf.tidy(() => {
    const out = run();
    return Array.isArray(out) ? joinRows(out) : out;
  });
}
