// Background removal for product photos on a plain backdrop (white, grey, any flat colour): the
// backdrop colour is read from the border, and only backdrop-coloured pixels connected to the border
// are removed, so white parts inside the garment (a collar, a print) stay.
import type { RgbaImage } from '../types.js';

/** Colour distance (max channel difference) under which a pixel is the backdrop. */
const BACKDROP_TOLERANCE = 28;
/** A border this uniform (share of border pixels near the median colour) is a plain backdrop. */
const PLAIN_BORDER_SHARE = 0.85;

export interface CutOut {
  /** The product photo with alpha 0 on the backdrop. */
  readonly image: RgbaImage;
  /** Whether a plain backdrop was found and removed (false: the photo was used as it is). */
  readonly backgroundRemoved: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function hasTransparency(img: RgbaImage): boolean {
  let transparent = 0;
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i] < 128) transparent++;
  return transparent > 0.02 * img.width * img.height;
}

export function removeBackground(img: RgbaImage): CutOut {
  if (hasTransparency(img)) return { image: img, backgroundRemoved: true };
  const { width, height, data } = img;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(x, (height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) border.push(y * width, y * width + width - 1);
  const bg = [0, 1, 2].map((c) => median(border.map((i) => data[i * 4 + c])));
  const near = (i: number): boolean =>
    Math.max(Math.abs(data[i * 4] - bg[0]), Math.abs(data[i * 4 + 1] - bg[1]), Math.abs(data[i * 4 + 2] - bg[2])) <= BACKDROP_TOLERANCE;
  const plainShare = border.filter(near).length / border.length;
  if (plainShare < PLAIN_BORDER_SHARE) return { image: img, backgroundRemoved: false };

  // Flood fill from the border through backdrop-coloured pixels.
  const isBackground = new Uint8Array(width * height);
  const stack: number[] = border.filter(near);
  for (const i of stack) isBackground[i] = 1;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % width;
    const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
    for (const n of neighbours) {
      if (n < 0 || n >= width * height || isBackground[n] || !near(n)) continue;
      isBackground[n] = 1;
      stack.push(n);
    }
  }
  const out = new Uint8Array(data);
  for (let i = 0; i < width * height; i++) if (isBackground[i]) out[i * 4 + 3] = 0;
  return { image: { width, height, channels: 4, data: out }, backgroundRemoved: true };
}
