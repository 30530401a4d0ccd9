// Person segmentation with MediaPipe's selfie model (general 256x256 variant), on the padded square
// photo, scaled back to the photo's size.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Mask } from '../types.js';
import { cropSquare, wholePhotoRegion } from './square-input.js';

const INPUT_SIZE = 256;

export async function segmentPerson(model: GraphModel, image: tf.Tensor3D): Promise<Mask> {
  const [height, width] = image.shape;
  const region = wholePhotoRegion(width, height);
  const input = tf.tidy(() => tf.div(cropSquare(image, region, INPUT_SIZE), 255));
  const output = model.execute(input) as tf.Tensor4D;
  const full = tf.tidy(() => {
    const square = tf.image.resizeBilinear(output, [region.size, region.size]);
    return tf.clipByValue(tf.slice(square, [0, 0, 0, 0], [1, height, width, 1]), 0, 1);
  });
  const data = (await full.data()) as Float32Array;
  tf.dispose([input, output, full]);
  return { width, height, data: Float32Array.from(data) };
}
