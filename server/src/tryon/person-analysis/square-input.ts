// Models here take a square input; the photo is cropped (or padded) to a square region and resized.
// A region is given in pixels of the photo and may extend past its edges (padding is black).
import * as tf from '@tensorflow/tfjs-core';

export interface SquareRegion {
  readonly left: number;
  readonly top: number;
  readonly size: number;
}

/** The square that holds the whole photo, anchored at the top-left (padding right/bottom). */
export function wholePhotoRegion(width: number, height: number): SquareRegion {
  return { left: 0, top: 0, size: Math.max(width, height) };
}

/** [1, size, size, 3] float32 in 0..255 of `region` of `image` ([H, W, 3]). */
export function cropSquare(image: tf.Tensor3D, region: SquareRegion, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    const batch = tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D;
    // cropAndResize boxes are normalised [y1, x1, y2, x2] with (h-1)/(w-1) spans; outside -> 0.
    const box = [
      region.top / (h - 1),
      region.left / (w - 1),
      (region.top + region.size - 1) / (h - 1),
      (region.left + region.size - 1) / (w - 1),
    ];
    return tf.image.cropAndResize(batch, [box], [0], [size, size], 'bilinear', 0);
  });
}

/** Maps a point normalised to the region back into photo pixels. */
export function fromRegion(region: SquareRegion, nx: number, ny: number): { x: number; y: number } {
  return { x: region.left + nx * region.size, y: region.top + ny * region.size };
}
