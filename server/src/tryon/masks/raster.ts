// Drawing and morphology on single-channel float masks (values 0..1), in place where named so.
// Plain loops: at photo sizes (~0.5-1 Mpx) each operation is a few milliseconds.
import type { Mask, Point } from '../types.js';

export function emptyMask(width: number, height: number): Mask {
  return { width, height, data: new Float32Array(width * height) };
}

/** Even-odd scanline fill of a polygon, sampling pixel centres. */
export function fillPolygon(mask: Mask, polygon: readonly Point[], value = 1): void {
  const { width, height, data } = mask;
  const minY = Math.max(0, Math.floor(Math.min(...polygon.map((p) => p.y))));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(...polygon.map((p) => p.y))));
  for (let y = minY; y <= maxY; y++) {
    const cy = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < polygon.length; i++) {
      const a = polygon[i];
      const b = polygon[(i + 1) % polygon.length];
      if (a.y <= cy === b.y <= cy) continue;
      xs.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    xs.sort((p, q) => p - q);
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const from = Math.max(0, Math.ceil(xs[i] - 0.5));
      const to = Math.min(width - 1, Math.floor(xs[i + 1] - 0.5));
      for (let x = from; x <= to; x++) data[y * width + x] = value;
    }
  }
}

/** Every pixel within `radius` of the segment a-b (a limb). */
export function fillCapsule(mask: Mask, a: Point, b: Point, radius: number, value = 1): void {
  const { width, height, data } = mask;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + radius));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + radius));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy || 1;
  const r2 = radius * radius;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - a.x;
      const py = y + 0.5 - a.y;
      const t = Math.min(1, Math.max(0, (px * dx + py * dy) / len2));
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= r2) data[y * width + x] = value;
    }
  }
}

export function fillEllipse(mask: Mask, centre: Point, rx: number, ry: number, value = 1): void {
  const { width, height, data } = mask;
  for (let y = Math.max(0, Math.floor(centre.y - ry)); y <= Math.min(height - 1, Math.ceil(centre.y + ry)); y++) {
    for (let x = Math.max(0, Math.floor(centre.x - rx)); x <= Math.min(width - 1, Math.ceil(centre.x + rx)); x++) {
      const nx = (x + 0.5 - centre.x) / rx;
      const ny = (y + 0.5 - centre.y) / ry;
      if (nx * nx + ny * ny <= 1) data[y * width + x] = value;
    }
  }
}

/** 1 where mask >= threshold, else 0 (a new mask). */
export function binarize(mask: Mask, threshold = 0.5): Mask {
  const out = emptyMask(mask.width, mask.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = mask.data[i] >= threshold ? 1 : 0;
  return out;
}

export function intersect(a: Mask, b: Mask): Mask {
  const out = emptyMask(a.width, a.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(a.data[i], b.data[i]);
  return out;
}

export function union(a: Mask, b: Mask): Mask {
  const out = emptyMask(a.width, a.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.max(a.data[i], b.data[i]);
  return out;
}

/** a with b's pixels removed. */
export function subtract(a: Mask, b: Mask): Mask {
  const out = emptyMask(a.width, a.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(a.data[i], 1 - b.data[i]);
  return out;
}

/** One-dimensional running max over a window of 2r+1, along rows or columns. */
function maxFilter1d(src: Float32Array, width: number, height: number, r: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const lines = horizontal ? height : width;
  const len = horizontal ? width : height;
  const stride = horizontal ? 1 : width;
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    // Distance to the nearest "on" pixel to the left/right, in one sweep each way (binary masks).
    let last = -Infinity;
    const left = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      if (src[base + i * stride] > 0) last = i;
      left[i] = i - last;
    }
    last = Infinity;
    for (let i = len - 1; i >= 0; i--) {
      if (src[base + i * stride] > 0) last = i;
      out[base + i * stride] = Math.min(left[i], last - i) <= r ? 1 : 0;
    }
  }
  return out;
}

/** Binary dilation by a square of side 2r+1 (the mask is binarised at > 0). */
export function dilate(mask: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return binarize(mask, Number.MIN_VALUE);
  const h = maxFilter1d(mask.data, mask.width, mask.height, r, true);
  return { width: mask.width, height: mask.height, data: maxFilter1d(h, mask.width, mask.height, r, false) };
}

/** Binary erosion by a square of side 2r+1. */
export function erode(mask: Mask, radius: number): Mask {
  const inverted = emptyMask(mask.width, mask.height);
  for (let i = 0; i < inverted.data.length; i++) inverted.data[i] = mask.data[i] > 0 ? 0 : 1;
  const grown = dilate(inverted, radius);
  for (let i = 0; i < grown.data.length; i++) grown.data[i] = 1 - grown.data[i];
  return grown;
}

function boxBlur1d(src: Float32Array, width: number, height: number, r: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const lines = horizontal ? height : width;
  const len = horizontal ? width : height;
  const stride = horizontal ? 1 : width;
  const norm = 1 / (2 * r + 1);
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    let sum = 0;
    // Edges clamp: the window reads the border pixel repeatedly.
    for (let i = -r; i <= r; i++) sum += src[base + Math.min(len - 1, Math.max(0, i)) * stride];
    for (let i = 0; i < len; i++) {
      out[base + i * stride] = sum * norm;
      sum += src[base + Math.min(len - 1, i + r + 1) * stride] - src[base + Math.max(0, i - r) * stride];
    }
  }
  return out;
}

/**
 * Soft edges: three box blurs (close to a Gaussian) of total reach 3r. Unlike a Gaussian its support is
 * finite, so pixels farther than 3r from the mask stay exactly 0 and the photo there stays untouched.
 */
export function feather(mask: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  let data = mask.data;
  for (let pass = 0; pass < 3 && r > 0; pass++) {
    data = boxBlur1d(boxBlur1d(data, mask.width, mask.height, r, true), mask.width, mask.height, r, false);
  }
  return { width: mask.width, height: mask.height, data: Float32Array.from(data) };
}

/** Rounds to 8-bit steps so the PNG handed back is exactly the alpha the compositing used. */
export function quantize(mask: Mask): Mask {
  const out = emptyMask(mask.width, mask.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.round(Math.min(1, Math.max(0, mask.data[i])) * 255) / 255;
  return out;
}

export function coverage(mask: Mask): number {
  let sum = 0;
  for (const v of mask.data) sum += v > 0.5 ? 1 : 0;
  return sum / mask.data.length;
}

/** Binary: the `allowed` pixels 4-connected (through allowed pixels) to a seed pixel that is itself allowed. */
export function growWithin(seeds: Mask, allowed: Mask): Mask {
  const out = emptyMask(seeds.width, seeds.height);
  const queue: number[] = [];
  for (let i = 0; i < out.data.length; i++) {
    if (seeds.data[i] > 0 && allowed.data[i] > 0) {
      out.data[i] = 1;
      queue.push(i);
    }
  }
  const w = seeds.width;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    const x = i % w;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
      if (j < 0 || j >= out.data.length || out.data[j] > 0 || allowed.data[j] === 0) continue;
      out.data[j] = 1;
      queue.push(j);
    }
  }
  return out;
}
