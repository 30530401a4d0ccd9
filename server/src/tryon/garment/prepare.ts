// Garment preparation: backdrop removed, cut to the garment, centred on a fixed-size canvas, and the
// landmarks the warp engine pins to the body (shoulders/hem for tops, waist/leg ends for bottoms).
import { TryOnError } from '../errors.js';
import type { Category, Point, RgbaImage } from '../types.js';
import { removeBackground, type CutOut } from './background.js';
import { resizeRgba } from './resize.js';

/** Longer side of the prepared garment canvas. */
export const GARMENT_CANVAS = 512;
const MARGIN = 0.06;
const MIN_GARMENT_SHARE = 0.03;

export interface GarmentLandmarks {
  /** Top corners: shoulder seams (upper, dress) or waistband ends (lower). */
  readonly topLeft: Point;
  readonly topRight: Point;
  /** Bottom: hem corners (upper, dress) or the two leg openings (lower). */
  readonly bottomLeft: Point;
  readonly bottomRight: Point;
  /** Width of the garment's body (hem width for tops, waistband for bottoms), in canvas pixels. */
  readonly bodyWidth: number;
  /** Dresses: the row of the waist (narrowest in the upper half), which sets the dress's scale on a body. */
  readonly waistY?: number;
}

export interface PreparedGarment {
  readonly category: Category;
  /** RGBA canvas, garment centred, alpha 0 elsewhere. */
  readonly image: RgbaImage;
  readonly landmarks: GarmentLandmarks;
  readonly backgroundRemoved: boolean;
}

interface RowExtent {
  readonly left: number;
  readonly right: number;
}

function rowExtents(img: RgbaImage): (RowExtent | undefined)[] {
  const rows: (RowExtent | undefined)[] = [];
  for (let y = 0; y < img.height; y++) {
    let left = -1;
    let right = -1;
    for (let x = 0; x < img.width; x++) {
      if (img.data[(y * img.width + x) * 4 + 3] < 128) continue;
      if (left < 0) left = x;
      right = x;
    }
    rows.push(left < 0 ? undefined : { left, right: right + 1 });
  }
  return rows;
}

function boundingBox(img: RgbaImage): { left: number; top: number; right: number; bottom: number; pixels: number } {
  let left = img.width;
  let top = img.height;
  let right = 0;
  let bottom = 0;
  let pixels = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[(y * img.width + x) * 4 + 3] < 128) continue;
      pixels++;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  return { left, top, right, bottom, pixels };
}

/** Crops to the garment and centres it on a GARMENT_CANVAS-high (or -wide) transparent canvas. */
function centreOnCanvas(img: RgbaImage, box: ReturnType<typeof boundingBox>): RgbaImage {
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  const crop = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    crop.set(img.data.subarray(((box.top + y) * img.width + box.left) * 4, ((box.top + y) * img.width + box.right) * 4), y * w * 4);
  }
  const inner = GARMENT_CANVAS * (1 - 2 * MARGIN);
  const s = inner / Math.max(w, h);
  const scaled = resizeRgba({ width: w, height: h, channels: 4, data: crop }, Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s)));
  const canvasW = w >= h ? GARMENT_CANVAS : Math.round(scaled.width + 2 * MARGIN * GARMENT_CANVAS);
  const canvasH = h > w ? GARMENT_CANVAS : Math.round(scaled.height + 2 * MARGIN * GARMENT_CANVAS);
  const out = new Uint8Array(canvasW * canvasH * 4);
  const ox = Math.floor((canvasW - scaled.width) / 2);
  const oy = Math.floor((canvasH - scaled.height) / 2);
  for (let y = 0; y < scaled.height; y++) {
    out.set(scaled.data.subarray(y * scaled.width * 4, (y + 1) * scaled.width * 4), ((oy + y) * canvasW + ox) * 4);
  }
  return { width: canvasW, height: canvasH, channels: 4, data: out };
}

/** Median extent over a band of rows (robust to a tie or a strap). */
function bandExtent(rows: (RowExtent | undefined)[], from: number, to: number): RowExtent {
  const band = rows.slice(Math.max(0, Math.floor(from)), Math.max(Math.floor(from) + 1, Math.ceil(to))).filter((r): r is RowExtent => !!r);
  const lefts = band.map((r) => r.left).sort((a, b) => a - b);
  const rights = band.map((r) => r.right).sort((a, b) => a - b);
  return { left: lefts[Math.floor(lefts.length / 2)] ?? 0, right: rights[Math.floor(rights.length / 2)] ?? 0 };
}

/**
 * The lowest row that is still garment body: at least 60% as wide as the widest row of the lower half,
 * so a hanging tie, a string or a tag below the hem is not taken for the hem.
 */
function hemRow(rows: (RowExtent | undefined)[], top: number, bottom: number): number {
  const width = (y: number): number => (rows[y] ? rows[y]!.right - rows[y]!.left : 0);
  let widest = 0;
  for (let y = Math.floor((top + bottom) / 2); y <= bottom; y++) widest = Math.max(widest, width(y));
  for (let y = bottom; y > top; y--) if (width(y) >= 0.6 * widest) return y;
  return bottom;
}

function findLandmarks(img: RgbaImage, category: Category): GarmentLandmarks {
  const rows = rowExtents(img);
  const top = rows.findIndex((r) => r !== undefined);
  const last = rows.length - 1 - [...rows].reverse().findIndex((r) => r !== undefined);
  const bottom = hemRow(rows, top, last);
  const h = bottom - top + 1;
  if (category === 'lower') {
    const waist = bandExtent(rows, top, top + 0.04 * h);
    const hem = bandExtent(rows, bottom - 0.03 * h, bottom + 1);
    // Leg openings: the centres of the outer quarters of the hem band.
    const legW = (hem.right - hem.left) / 4;
    return {
      topLeft: { x: waist.left, y: top },
      topRight: { x: waist.right, y: top },
      bottomLeft: { x: hem.left + legW, y: bottom },
      bottomRight: { x: hem.right - legW, y: bottom },
      bodyWidth: waist.right - waist.left,
    };
  }
  // Tops and dresses: sleeves stick out sideways on a flat lay, so the body's width is read below them
  // (upper: the hem; dress: the narrowest row of the upper half, the waist), not at the shoulders.
  const body =
    category === 'upper' ? bandExtent(rows, bottom - 0.06 * h, bottom + 1) : narrowestBand(rows, top + 0.15 * h, top + 0.5 * h);
  const cx = (body.left + body.right) / 2;
  const half = (body.right - body.left) / 2;
  const hem = bandExtent(rows, bottom - 0.03 * h, bottom + 1);
  // The shoulder line: the first row below the collar as wide as the body (the collar sits above it, on the neck).
  let shoulderY = top;
  while (shoulderY < top + 0.3 * h && (!rows[shoulderY] || rows[shoulderY]!.right - rows[shoulderY]!.left < 1.9 * half)) shoulderY++;
  if (shoulderY >= top + 0.3 * h) shoulderY = Math.round(top + 0.04 * h);
  return {
    topLeft: { x: cx - half, y: shoulderY },
    topRight: { x: cx + half, y: shoulderY },
    bottomLeft: { x: category === 'upper' ? cx - half : hem.left, y: bottom },
    bottomRight: { x: category === 'upper' ? cx + half : hem.right, y: bottom },
    bodyWidth: 2 * half,
    ...(category === 'dress' ? { waistY: (body as RowExtent & { y: number }).y } : {}),
  };
}

function narrowestBand(rows: (RowExtent | undefined)[], from: number, to: number): RowExtent & { y: number } {
  let best: (RowExtent & { y: number }) | undefined;
  for (let y = Math.floor(from); y < Math.ceil(to); y++) {
    const r = rows[y];
    if (r && (!best || r.right - r.left < best.right - best.left)) best = { ...r, y };
  }
  return best ?? { ...bandExtent(rows, from, to), y: Math.round((from + to) / 2) };
}

/** `cut`: the garment already cut out of `photo` (on a model: see cut-out.ts); by default by backdrop colour. */
export function prepareGarment(photo: RgbaImage, category: Category, cut: CutOut = removeBackground(photo)): PreparedGarment {
  const box = boundingBox(cut.image);
  if (box.pixels < MIN_GARMENT_SHARE * photo.width * photo.height) {
    throw new TryOnError(
      'NO_GARMENT',
      `no garment found in the product image (${((box.pixels / (photo.width * photo.height)) * 100).toFixed(1)}% of it differs from its backdrop)`,
    );
  }
  const image = centreOnCanvas(cut.image, box);
  return { category, image, landmarks: findLandmarks(image, category), backgroundRemoved: cut.backgroundRemoved };
}
