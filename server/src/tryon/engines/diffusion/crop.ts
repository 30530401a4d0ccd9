// The diffusion model sees a crop around the mask at its own resolution (3:4, like the photos it was
// trained on); the result is scaled back and placed at the crop's position in a copy of the photo.
import * as tf from '@tensorflow/tfjs-core';
import type { Mask, RgbImage } from '../../types.js';

export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The mask's bounding box, grown by a margin and to the model's aspect ratio (may extend past the photo). */
export function cropAroundMask(mask: Mask, modelWidth: number, modelHeight: number): CropBox {
  let left = mask.width;
  let top = mask.height;
  let right = 0;
  let bottom = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] < 0.5) continue;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  if (right <= left) return { left: 0, top: 0, width: mask.width, height: mask.height };
  let w = (right - left) * 1.15;
  let h = (bottom - top) * 1.15;
  const aspect = modelWidth / modelHeight;
  if (w / h > aspect) h = w / aspect;
  else w = h * aspect;
  return { left: (left + right) / 2 - w / 2, top: (top + bottom) / 2 - h / 2, width: w, height: h };
}

/** [1, H, W, C] float crop of an interleaved image (values / 255 for RGB, as-is for masks). */
export function cropTensor(data: Uint8Array | Float32Array, width: number, height: number, channels: number, box: CropBox, outW: number, outH: number): tf.Tensor4D {
  return tf.tidy(() => {
    const values = data instanceof Uint8Array ? Float32Array.from(data, (v) => v / 255) : data;
    const image = tf.tensor4d(values, [1, height, width, channels]);
    const normBox = [box.top / (height - 1), box.left / (width - 1), (box.top + box.height - 1) / (height - 1), (box.left + box.width - 1) / (width - 1)];
    return tf.image.cropAndResize(image, [normBox], [0], [outH, outW], 'bilinear', 0);
  });
}

/** The photo with the crop's region replaced by `generated` (RGB bytes at model size) scaled to fit. */
export function pasteCrop(photo: RgbImage, box: CropBox, generated: Uint8Array, genW: number, genH: number): RgbImage {
  const out = new Uint8Array(photo.data);
  for (let y = Math.max(0, Math.floor(box.top)); y < Math.min(photo.height, Math.ceil(box.top + box.height)); y++) {
    const fy = Math.min(genH - 1, Math.max(0, ((y + 0.5 - box.top) / box.height) * genH - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(genH - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = Math.max(0, Math.floor(box.left)); x < Math.min(photo.width, Math.ceil(box.left + box.width)); x++) {
      const fx = Math.min(genW - 1, Math.max(0, ((x + 0.5 - box.left) / box.width) * genW - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(genW - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const v =
          generated[(y0 * genW + x0) * 3 + c] * (1 - wx) * (1 - wy) +
          generated[(y0 * genW + x1) * 3 + c] * wx * (1 - wy) +
          generated[(y1 * genW + x0) * 3 + c] * (1 - wx) * wy +
          generated[(y1 * genW + x1) * 3 + c] * wx * wy;
        out[(y * photo.width + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return { width: photo.width, height: photo.height, channels: 3, data: out };
}
