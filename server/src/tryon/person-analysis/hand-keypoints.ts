// The hand points (wrist, index, pinky, thumb per side) from BlazePose, on a square built from MoveNet's
// keypoints. Two passes, as MediaPipe tracks a pose: the first square comes from MoveNet, the second from
// BlazePose's own alignment points, which centre and size the body the way the model was trained on.
import type * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { HandKeypoints, HandPoint, HandPointName, Keypoints } from '../types.js';
import { runBlazePose, type Landmark, type PoseLandmarks } from './blazepose.js';
import { roiFromKeypoints, roiFromLandmarks } from './pose-roi.js';

/** MediaPipe's threshold on the pose flag. */
const MIN_POSE_SCORE = 0.5;
/** Below this visibility x presence BlazePose's point is a guess (MediaPipe draws points from 0.5). */
export const MIN_HAND_SCORE = 0.5;

/** BlazePose landmark indices (its 33-point topology): 15/16 wrists, 17/18 pinky, 19/20 index, 21/22 thumb. */
const LANDMARK_INDEX: Readonly<Record<'left' | 'right', Readonly<Record<HandPointName, number>>>> = {
  left: { wrist: 15, pinky: 17, index: 19, thumb: 21 },
  right: { wrist: 16, pinky: 18, index: 20, thumb: 22 },
};

function toHandPoint(l: Landmark, width: number, height: number): HandPoint {
  const score = l.visibility * l.presence;
  const inside = l.x >= 0 && l.y >= 0 && l.x < width && l.y < height;
  return { x: l.x, y: l.y, score, visible: score >= MIN_HAND_SCORE && inside };
}

export function handKeypointsFrom(landmarks: readonly Landmark[], width: number, height: number): HandKeypoints {
  const side = (s: 'left' | 'right'): Record<HandPointName, HandPoint> => {
    const at = LANDMARK_INDEX[s];
    return {
      wrist: toHandPoint(landmarks[at.wrist], width, height),
      index: toHandPoint(landmarks[at.index], width, height),
      pinky: toHandPoint(landmarks[at.pinky], width, height),
      thumb: toHandPoint(landmarks[at.thumb], width, height),
    };
  };
  return { left: side('left'), right: side('right') };
}

/** Undefined when MoveNet gives no body to build the square from or BlazePose sees no pose in it. */
export async function detectHandKeypoints(model: GraphModel, image: tf.Tensor3D, kp: Keypoints): Promise<HandKeypoints | undefined> {
  const [height, width] = image.shape;
  const roi = roiFromKeypoints(kp);
  if (!roi) return undefined;
  const first = await runBlazePose(model, image, roi);
  if (first.poseScore < MIN_POSE_SCORE) return undefined;
  const second = await runBlazePose(model, image, roiFromLandmarks(first.landmarks));
  const best: PoseLandmarks = second.poseScore >= MIN_POSE_SCORE ? second : first;
  return handKeypointsFrom(best.landmarks, width, height);
}
