// Counts people with MoveNet MultiPose: each of its 6 rows is one detected person,
// 17 x (y, x, score) then the box (ymin, xmin, ymax, xmax, score).
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { cropSquare, wholePhotoRegion } from './square-input.js';

const INPUT_SIZE = 256;
const ROW = 56;
/** A detection this confident is a person (the fixtures' garment photos peak at ~0.3, people at ~0.7+). */
const PERSON_SCORE = 0.4;

export interface PersonDetection {
  readonly score: number;
  /** Box height as a fraction of the padded square's side. */
  readonly heightFraction: number;
}

export async function detectPeople(model: GraphModel, image: tf.Tensor3D): Promise<PersonDetection[]> {
  const [height, width] = image.shape;
  const input = tf.tidy(() => tf.cast(cropSquare(image, wholePhotoRegion(width, height), INPUT_SIZE), 'int32'));
  const output = model.execute(input) as tf.Tensor;
  const values = await output.data();
  tf.dispose([input, output]);
  const people: PersonDetection[] = [];
  for (let row = 0; row * ROW < values.length; row++) {
    const base = row * ROW;
    const score = values[base + 55];
    if (score >= PERSON_SCORE) people.push({ score, heightFraction: values[base + 53] - values[base + 51] });
  }
  return people.sort((a, b) => b.score - a.score);
}
