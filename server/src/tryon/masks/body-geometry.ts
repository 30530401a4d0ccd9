// Body measurements from keypoints, in pixels, that every category's mask and the warp engine share.
// Where a joint is hidden (cut off by the frame), it is extrapolated from the visible ones.
import type { Keypoint, Keypoints, Point } from '../types.js';

export interface BodyGeometry {
  readonly leftShoulder: Point;
  readonly rightShoulder: Point;
  readonly leftHip: Point;
  readonly rightHip: Point;
  readonly shoulderMid: Point;
  readonly hipMid: Point;
  readonly shoulderWidth: number;
  readonly hipWidth: number;
  /** Shoulder-mid to hip-mid distance. */
  readonly torsoLength: number;
  /** Unit vector from the shoulders towards the hips (body "down"). */
  readonly down: Point;
  /** Knee and ankle per side (extrapolated along `down` when hidden). */
  readonly leftKnee: Point;
  readonly rightKnee: Point;
  readonly leftAnkle: Point;
  readonly rightAnkle: Point;
}

export const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });
export const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
export const scale = (a: Point, s: number): Point => ({ x: a.x * s, y: a.y * s });
export const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const unit = (a: Point): Point => {
  const n = Math.hypot(a.x, a.y) || 1;
  return { x: a.x / n, y: a.y / n };
};
/** Pushes p away from centre c by `amount` pixels. */
export const outward = (p: Point, c: Point, amount: number): Point => add(p, scale(unit(sub(p, c)), amount));

const pt = (k: Keypoint): Point => ({ x: k.x, y: k.y });

export function bodyGeometry(kp: Keypoints): BodyGeometry {
  const leftShoulder = pt(kp.left_shoulder);
  const rightShoulder = pt(kp.right_shoulder);
  const shoulderMid = mid(leftShoulder, rightShoulder);
  const shoulderWidth = Math.max(1, dist(leftShoulder, rightShoulder));
  // Lower-only photos may hide the shoulders; hips are always required, so derive what is missing.
  const shouldersSeen = kp.left_shoulder.visible && kp.right_shoulder.visible;
  const leftHip = pt(kp.left_hip);
  const rightHip = pt(kp.right_hip);
  const hipMid = mid(leftHip, rightHip);
  const hipWidth = Math.max(1, dist(leftHip, rightHip));
  const torsoLength = shouldersSeen ? Math.max(1, dist(shoulderMid, hipMid)) : hipWidth * 2.2;
  const down = shouldersSeen ? unit(sub(hipMid, shoulderMid)) : { x: 0, y: 1 };
  const thigh = torsoLength * 0.85;
  const shin = torsoLength * 0.8;
  const joint = (k: Keypoint, from: Point, length: number): Point => (k.visible ? pt(k) : add(from, scale(down, length)));
  const leftKnee = joint(kp.left_knee, leftHip, thigh);
  const rightKnee = joint(kp.right_knee, rightHip, thigh);
  return {
    leftShoulder,
    rightShoulder,
    leftHip,
    rightHip,
    shoulderMid,
    hipMid,
    shoulderWidth,
    hipWidth,
    torsoLength,
    down,
    leftKnee,
    rightKnee,
    leftAnkle: joint(kp.left_ankle, leftKnee, shin),
    rightAnkle: joint(kp.right_ankle, rightKnee, shin),
  };
}
