// Pillow's antialiased bicubic resize of 8-bit RGB (Image.resize(size, BICUBIC)), reproduced because the image
// encoder was trained on, and transformers' CLIPImageProcessor feeds, exactly these pixels: another resampler
// (libvips') lands several 8-bit levels away. Separable, horizontal pass then vertical, each rounded to 8 bits
// through Pillow's fixed-point coefficients.

const PRECISION_BITS = 32 - 8 - 2;
const CUBIC_A = -0.5;

function bicubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * CUBIC_A;
  return 0;
}

interface Coefficients {
  readonly bounds: Int32Array;
  readonly weights: Int32Array;
  readonly taps: number;
}

/** Per output pixel: the first input pixel, the tap count and the fixed-point weights (Pillow's precompute_coeffs). */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      k[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      total += k[x];
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? k[x] / total : 0;
      weights[xx * taps + x] = Math.trunc(w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { bounds, weights, taps };
}

const clip8 = (accumulated: number): number => Math.min(255, Math.max(0, Math.floor(accumulated / (1 << PRECISION_BITS))));

/** One pass along x (horizontal) or y (vertical) of an interleaved RGB image. */
function pass(src: Uint8Array, width: number, height: number, outSize: number, horizontal: boolean): Uint8Array {
  const inSize = horizontal ? width : height;
  const { bounds, weights, taps } = coefficients(inSize, outSize);
  const outW = horizontal ? outSize : width;
  const outH = horizontal ? height : outSize;
  const out = new Uint8Array(outW * outH * 3);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y;
      const start = bounds[o * 2];
      const count = bounds[o * 2 + 1];
      for (let c = 0; c < 3; c++) {
        let acc = half;
        for (let t = 0; t < count; t++) {
          const index = horizontal ? (y * width + start + t) * 3 + c : ((start + t) * width + x) * 3 + c;
          acc += src[index] * weights[o * taps + t];
        }
        out[(y * outW + x) * 3 + c] = clip8(acc);
      }
    }
  }
  return out;
}

/** RGB bytes (row-major, 3 per pixel) resized to outWidth x outHeight as Pillow's BICUBIC does. */
export function pilBicubicResize(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  let data = rgb;
  let w = width;
  if (outWidth !== width) {
    data = pass(data, w, height, outWidth, true);
    w = outWidth;
  }
  if (outHeight !== height) data = pass(data, w, height, outHeight, false);
  return data;
}
