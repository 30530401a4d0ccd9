// A 3x3 stride-1 convolution as Winograd's F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015): each 4x4 input tile and the filter are transformed so that a 2x2 output tile
// costs 16 products per channel pair instead of 36, done as 16 plain matrix products (XNNPACK's GEMM on
// wasm, faster per product than its convolution). Transforms included, measured up to 1.6 times faster than
// the direct convolution on SD 1.5's wide layers (useWinograd). The same sums regrouped: results agree with the direct
// convolution to float32 rounding (about 1e-6 relative).
import * as tf from '@tensorflow/tfjs-core';

/** B^T: the input transform of F(2x2, 3x3); each row reads two of the tile's four rows (columns). */
const BT: readonly (readonly number[])[] = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];

/** 'auto': where measured faster (useWinograd); 'always': every eligible convolution; 'never': none. */
export type WinogradPolicy = 'auto' | 'always' | 'never';

let policy: WinogradPolicy = 'auto';

export function isWinogradPolicy(value: string | undefined): value is WinogradPolicy {
  return value === 'auto' || value === 'always' || value === 'never';
}

/** 'always' lets tests and conformance runs take the Winograd route on tiny models too. */
export function setWinogradPolicy(p: WinogradPolicy): void {
  policy = p;
}

/**
 * Whether a 3x3 stride-1 convolution of the zero-padded input [B, H+2, W+2, C] to `outChannels` takes the
 * Winograd route: the output's sides must be even (whole 2x2 tiles). On 'auto' only on wasm (GPU backends
 * have their own convolution kernels) and only where it was measured faster there (SD 1.5's shapes, 2 threads):
 * at least 256 tiles (a 32x32 map at batch 2) and 256 channels in and out. 512 channels on 128x128: 1.6x;
 * 640 on 32x32: 1.45x; 320 on 64x64 and 256 on 256x256: 1.2x; 128 channels, 4 in (conv_in), 3 out (conv_out)
 * or 1280 on 8x8 with the filter transformed per call: slower.
 */
export function useWinograd(padded: readonly number[], outChannels: number): boolean {
  const [b, hp, wp, c] = padded;
  if (policy === 'never' || (hp - 2) % 2 !== 0 || (wp - 2) % 2 !== 0 || hp < 4 || wp < 4) return false;
  if (policy === 'always') return true;
  const tiles = (b * (hp - 2) * (wp - 2)) / 4;
  return tf.getBackend() === 'wasm' && tiles >= 256 && c >= 256 && outChannels >= 256;
}

/**
 * G g G^T for a 3x3 filter [3, 3, in, out]: 16 matrices [in, out], tile position (a, b) at 4a + b. G turns
 * three taps t into four: t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2; applied to the rows of taps, then
 * to the columns. Slices and sums of [in, out] blocks: ten times faster on wasm than one [16, 9] product.
 */
export function winogradFilters(filter: tf.Tensor4D): tf.Tensor2D[] {
  return tf.tidy(() => {
    const [, , cin, cout] = filter.shape;
    const fourFromThree = (t: readonly tf.Tensor[]): tf.Tensor[] => {
      const outer = tf.mul(tf.add(t[0], t[2]), 0.5);
      const middle = tf.mul(t[1], 0.5);
      return [t[0], tf.add(outer, middle), tf.sub(outer, middle), t[2]];
    };
    const tapRows = [0, 1, 2].map((i) => tf.reshape(tf.slice(filter, [i, 0, 0, 0], [1, 3, cin, cout]), [3, cin, cout]));
    return fourFromThree(tapRows).flatMap((row) => {
      const taps = [0, 1, 2].map((j) => tf.reshape(tf.slice(row, [j, 0, 0], [1, cin, cout]), [cin, cout]));
      return fourFromThree(taps) as tf.Tensor2D[];
    });
  });
}

/** B^T d for the four rows (or columns) of every tile: d[i] is the tile's i-th row (column) of values. */
function transformPairs(d: readonly tf.Tensor[]): tf.Tensor[] {
  return BT.map((row) => {
    const [i, j] = row.flatMap((v, k) => (v === 0 ? [] : [k]));
    return row[i] > 0 === row[j] > 0 ? tf.add(d[i], d[j]) : row[i] > 0 ? tf.sub(d[i], d[j]) : tf.sub(d[j], d[i]);
  });
}

/**
 * Input elements per band of tile rows: the transforms hold about twelve copies of a band's input at once,
 * so whole 512x512 VAE maps (256 channels: 268 MB) would not fit wasm's heap. About 16 MB per band still
 * gives the products thousands of rows.
 */
const BAND_ELEMENTS = 4 * 2 ** 20;

/**
 * The valid 3x3 convolution of `padded` [B, H+2, W+2, in] (H, W even) with the filter whose transform is `u`
 * (winogradFilters): [B, H, W, out]. Bands of tile rows, each in its own tidy, keep the peak near the direct
 * convolution's.
 */
export function winogradConv3x3(padded: tf.Tensor4D, u: readonly tf.Tensor2D[]): tf.Tensor4D {
  const [b, hp, wp, c] = padded.shape;
  const tileRows = (hp - 2) / 2;
  const perBand = Math.max(1, Math.floor(BAND_ELEMENTS / (2 * b * wp * c)));
  if (perBand >= tileRows) return tf.tidy(() => convolveBand(padded, u));
  return tf.tidy(() => {
    const bands: tf.Tensor4D[] = [];
    for (let t0 = 0; t0 < tileRows; t0 += perBand) {
      const rows = Math.min(perBand, tileRows - t0);
      bands.push(tf.tidy(() => convolveBand(tf.slice(padded, [0, 2 * t0, 0, 0], [b, 2 * rows + 2, wp, c]), u)));
    }
    return tf.concat(bands, 1);
  });
}

function convolveBand(padded: tf.Tensor4D, u: readonly tf.Tensor2D[]): tf.Tensor4D {
  const [b, hp, wp, c] = padded.shape;
  const th = (hp - 2) / 2;
  const tw = (wp - 2) / 2;
  const out = u[0].shape[1];
  // Tile row i of tile y is padded row 2y + i: rows as [B, th + 1, 2, W + 2, C], row i at (y + (i >> 1), i & 1).
  const rowPairs = tf.reshape(padded, [b, th + 1, 2, wp, c]);
  const rows = [0, 1, 2, 3].map((i) => tf.reshape(tf.slice(rowPairs, [0, i >> 1, i & 1, 0, 0], [b, th, 1, wp, c]), [b, th, wp, c]));
  const products: tf.Tensor2D[] = [];
  for (const rowMix of transformPairs(rows)) {
    const colPairs = tf.reshape(rowMix, [b, th, tw + 1, 2, c]);
    const cols = [0, 1, 2, 3].map((j) => tf.reshape(tf.slice(colPairs, [0, 0, j >> 1, j & 1, 0], [b, th, tw, 1, c]), [b * th * tw, c]));
    for (const v of transformPairs(cols)) products.push(tf.matMul(v, u[products.length]));
  }
  // A^T M A: output row (column) 0 sums tile positions 0..2, row 1 takes 1 - 2 - 3.
  const m = (a: number, k: number) => products[4 * a + k];
  const firstRow = (k: number) => tf.addN([m(0, k), m(1, k), m(2, k)]);
  const secondRow = (k: number) => tf.sub(m(1, k), tf.add(m(2, k), m(3, k)));
  const outputRows = [firstRow, secondRow].map((row) => {
    const r = [0, 1, 2, 3].map(row);
    const even = tf.reshape(tf.addN([r[0], r[1], r[2]]), [b, th, tw, out]);
    const odd = tf.reshape(tf.sub(r[1], tf.add(r[2], r[3])), [b, th, tw, out]);
    // Even and odd columns side by side: [B, th, tw, 2, out] is [B, th, 2 tw, out] row-major.
    return tf.reshape(tf.stack([even, odd], 3), [b, th, 2 * tw, out]);
  });
  return tf.reshape(tf.stack(outputRows, 2), [b, 2 * th, 2 * tw, out]) as tf.Tensor4D;
}
