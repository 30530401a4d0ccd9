// A square region of the photo at any angle, sampled to a model's input: BlazePose's landmark model wants
// the body upright in its crop, so the crop turns with the body (MediaPipe's rotated ROI).
import * as tf from '@tensorflow/tfjs-core';
import type { Point } from '../types.js';

export interface RotatedSquare {
  /** Centre, in photo pixels. */
  readonly cx: number;
  readonly cy: number;
  /** Side, in photo pixels. */
  readonly size: number;
  /** Radians, clockwise on screen: the crop's x axis in the photo is (cos, sin). */
  readonly angle: number;
}

/** Maps a point normalised to the crop (0..1 across, 0..1 down) into photo pixels. */
export function fromRotated(r: RotatedSquare, nx: number, ny: number): Point {
  const dx = (nx - 0.5) * r.size;
  const dy = (ny - 0.5) * r.size;
  const cos = Math.cos(r.angle);
  const sin = Math.sin(r.angle);
  return { x: r.cx + cos * dx - sin * dy, y: r.cy + sin * dx + cos * dy };
}

/** [1, n, n, 3] float32 in 0..255; outside the photo is black, as MediaPipe's zero border. */
export function cropRotated(image: tf.Tensor3D, r: RotatedSquare, n: number): tf.Tensor4D {
  return tf.tidy(() => {
    // tf.image.transform maps each output pixel index to an input pixel index (centres at integers):
    // output pixel j sits at (j + 0.5) / n of the crop, i.e. fromRotated(...) - 0.5 in input indices.
    const k = r.size / n;
    const cos = Math.cos(r.angle);
    const sin = Math.sin(r.angle);
    const origin = fromRotated(r, 0.5 / n, 0.5 / n);
    const matrix = tf.tensor2d([[cos * k, -sin * k, origin.x - 0.5, sin * k, cos * k, origin.y - 0.5, 0, 0]]);
    const batch = tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D;
    return tf.image.transform(batch, matrix, 'bilinear', 'constant', 0, [n, n]);
  });
}
