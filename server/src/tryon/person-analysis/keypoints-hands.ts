// The hand points travel with the keypoints they belong to: the masks are handed the keypoints (and not the
// whole analysis), so a lookup by that object lets masks/hands.ts find them without widening every caller.
// A keypoints object made elsewhere (a garment photo's, a test's) simply has none, and the masks fall back.
import type { HandKeypoints, Keypoints } from '../types.js';

const byKeypoints = new WeakMap<Keypoints, HandKeypoints>();

export function attachHandKeypoints(kp: Keypoints, hands: HandKeypoints): void {
  byKeypoints.set(kp, hands);
}

export function handKeypointsOf(kp: Keypoints): HandKeypoints | undefined {
  return byKeypoints.get(kp);
}
