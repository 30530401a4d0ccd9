// Bilinear resize of RGBA with premultiplied alpha (so transparent backdrop colour does not bleed in).
import type { RgbaImage } from '../types.js';

export function resizeRgba(src: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(src.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(src.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      const taps: [number, number][] = [
        [(y0 * src.width + x0) * 4, (1 - wx) * (1 - wy)],
        [(y0 * src.width + x1) * 4, wx * (1 - wy)],
        [(y1 * src.width + x0) * 4, (1 - wx) * wy],
        [(y1 * src.width + x1) * 4, wx * wy],
      ];
      let a = 0;
      const rgb = [0, 0, 0];
      for (const [i, w] of taps) {
        const alpha = (src.data[i + 3] / 255) * w;
        a += alpha;
        for (let c = 0; c < 3; c++) rgb[c] += src.data[i + c] * alpha;
      }
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = a > 0 ? Math.round(rgb[c] / a) : 0;
      out[o + 3] = Math.round(a * 255);
    }
  }
  return { width, height, channels: 4, data: out };
}
