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
  const [ad, bd, od] = [a.data, b.data, out.data];
  for (let i = 0; i < od.length; i++) od[i] = ad[i] < bd[i] ? ad[i] : bd[i];
  return out;
}
export function union(a: Mask, b: Mask): Mask {
  const out = emptyMask(a.width, a.height);
  const [ad, bd, od] = [a.data, b.data, out.data];
  for (let i = 0; i < od.length; i++) od[i] = ad[i] > bd[i] ? ad[i] : bd[i];
  return out;
}
export function subtract(a: Mask, b: Mask): Mask {
  const out = emptyMask(a.width, a.height);
  const [ad, bd, od] = [a.data, b.data, out.data];
  for (let i = 0; i < od.length; i++) od[i] = Math.min(ad[i], 1 - bd[i]);
  return out;
}

interface Window {
  readonly x0: number;
  readonly y0: number;
  /** Exclusive. */
  readonly x1: number;
  readonly y1: number;
}

/** The on pixels' bounding box grown by r, within the image; undefined when no pixel is on. */
function onWindow(mask: Mask, r: number): Window | undefined {
  const { width, height, data } = mask;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) {
      if (data[base + x] <= 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return undefined;
  return { x0: Math.max(0, x0 - r), y0: Math.max(0, y0 - r), x1: Math.min(width, x1 + r + 1), y1: Math.min(height, y1 + r + 1) };
}

/**
 * One-dimensional running max over a window of 2r+1, along rows or columns, inside `win` (binary masks: on
 * where any pixel within r is on; outside `win` stays off). Both directions sweep row by row, keeping
 * per-column state for the vertical one: a column-by-column walk strides through memory.
 */
function maxFilter1d(src: Float32Array, width: number, r: number, horizontal: boolean, win: Window, out: Float32Array): void {
  const { x0, y0, x1, y1 } = win;
  if (horizontal) {
    for (let y = y0; y < y1; y++) {
      const base = y * width;
      // Distance to the nearest "on" pixel to the left, then to the right, in one sweep each way.
      let last = -Infinity;
      for (let x = x0; x < x1; x++) {
        if (src[base + x] > 0) last = x;
        out[base + x] = x - last <= r ? 1 : 0;
      }
      last = Infinity;
      for (let x = x1 - 1; x >= x0; x--) {
        if (src[base + x] > 0) last = x;
        if (last - x <= r) out[base + x] = 1;
      }
    }
    return;
  }
  const last = new Float64Array(width).fill(-Infinity);
  for (let y = y0; y < y1; y++) {
    const base = y * width;
    for (let x = x0; x < x1; x++) {
      if (src[base + x] > 0) last[x] = y;
      out[base + x] = y - last[x] <= r ? 1 : 0;
    }
  }
  last.fill(Infinity);
  for (let y = y1 - 1; y >= y0; y--) {
    const base = y * width;
    for (let x = x0; x < x1; x++) {
      if (src[base + x] > 0) last[x] = y;
      if (last[x] - y <= r) out[base + x] = 1;
    }
  }
}

/** Binary dilation by a square of side 2r+1 (the mask is binarised at > 0). Only the on pixels' surroundings are swept. */
export function dilate(mask: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return binarize(mask, Number.MIN_VALUE);
  const out = emptyMask(mask.width, mask.height);
  const win = onWindow(mask, r);
  if (!win) return out;
  const across = new Float32Array(mask.data.length);
  maxFilter1d(mask.data, mask.width, r, true, win, across);
  maxFilter1d(across, mask.width, r, false, win, out.data);
  return out;
}

/** Binary erosion by a square of side 2r+1. Only the on pixels' bounding box can stay on, so only it is swept. */
export function erode(mask: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return binarize(mask, Number.MIN_VALUE);
  const out = emptyMask(mask.width, mask.height);
  const box = onWindow(mask, 0);
  if (!box) return out;
  const { width, height } = mask;
  const win = { x0: Math.max(0, box.x0 - r), y0: Math.max(0, box.y0 - r), x1: Math.min(width, box.x1 + r), y1: Math.min(height, box.y1 + r) };
  // The off pixels, grown by r, are what erosion removes; outside `win` nothing is read.
  const off = new Float32Array(mask.data.length);
  for (let y = win.y0; y < win.y1; y++) for (let x = win.x0; x < win.x1; x++) off[y * width + x] = mask.data[y * width + x] > 0 ? 0 : 1;
  const across = new Float32Array(mask.data.length);
  const grown = new Float32Array(mask.data.length);
  maxFilter1d(off, width, r, true, win, across);
  maxFilter1d(across, width, r, false, win, grown);
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) out.data[y * width + x] = 1 - grown[y * width + x];
  return out;
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
