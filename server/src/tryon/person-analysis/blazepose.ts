// BlazePose's landmark model ("full") on one rotated square of the photo: 39 landmarks in photo pixels with
// their scores. The model and its decoding follow MediaPipe's pose_landmark_by_roi: input 256x256 RGB in
// 0..1; ld_3d holds 39 x (x, y, z, visibility, presence), x and y in input pixels, the two scores as logits;
// output_poseflag is already a probability that a body fills the crop.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Point } from '../types.js';
import { cropRotated, fromRotated, type RotatedSquare } from './rotated-crop.js';

const INPUT_SIZE = 256;
const LANDMARK_COUNT = 39;
const VALUES_PER_LANDMARK = 5;

export interface Landmark extends Point {
  /** Probability the point is in the crop and not hidden (sigmoid of the model's logit). */
  readonly visibility: number;
  /** Probability the point is in the crop at all. */
  readonly presence: number;
}

export interface PoseLandmarks {
  readonly poseScore: number;
  readonly landmarks: readonly Landmark[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export async function runBlazePose(model: GraphModel, image: tf.Tensor3D, roi: RotatedSquare): Promise<PoseLandmarks> {
  const input = tf.tidy(() => tf.div(cropRotated(image, roi, INPUT_SIZE), 255));
  const outputs = model.execute(input, ['ld_3d', 'output_poseflag']) as tf.Tensor[];
  try {
    const [values, flag] = await Promise.all(outputs.map((t) => t.data()));
    const landmarks: Landmark[] = [];
    for (let k = 0; k < LANDMARK_COUNT; k++) {
      const o = k * VALUES_PER_LANDMARK;
      const p = fromRotated(roi, values[o] / INPUT_SIZE, values[o + 1] / INPUT_SIZE);
      landmarks.push({ ...p, visibility: sigmoid(values[o + 3]), presence: sigmoid(values[o + 4]) });
    }
    return { poseScore: flag[0], landmarks };
  } finally {
    tf.dispose([input, ...outputs]);
  }
}
