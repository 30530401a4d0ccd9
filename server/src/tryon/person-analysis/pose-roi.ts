// The square BlazePose's landmark model expects, without running BlazePose's detector. MediaPipe builds it
// from two points: the body's centre (mid-hip) and a point on the circle round the whole body; the square's
// side is that circle's diameter times 1.25, turned so the centre-to-circle vector points straight up
// (pose_detection_to_roi / pose_landmarks_to_roi). Here the two points come from MoveNet's keypoints, or
// from BlazePose's own auxiliary landmarks 33 and 34 on a second pass (as MediaPipe tracks).
import type { Keypoints, Point } from '../types.js';
import type { Landmark } from './blazepose.js';
import type { RotatedSquare } from './rotated-crop.js';

/** MediaPipe's RectTransformation scale for the pose ROI. */
const ROI_SCALE = 1.25;
/** MoveNet's farthest confident point is an eye or an ankle: the circle reaches past it to the head's top. */
const BODY_MARGIN = 1.15;
const CENTRE = 33;
const SCALE_POINT = 34;

const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

function alignedSquare(centre: Point, radius: number, up: Point): RotatedSquare {
  // Turned so `up` (centre towards the head) becomes the crop's up: MediaPipe's target angle of 90 degrees.
  const angle = Math.PI / 2 - Math.atan2(-up.y, up.x);
  return { cx: centre.x, cy: centre.y, size: 2 * radius * ROI_SCALE, angle };
}

export function roiFromKeypoints(kp: Keypoints): RotatedSquare | undefined {
  const good = Object.values(kp).filter((k) => k.visible);
  const shoulders = kp.left_shoulder.visible && kp.right_shoulder.visible;
  if (!shoulders || good.length < 4) return undefined;
  const shoulderMid = mid(kp.left_shoulder, kp.right_shoulder);
  const hips = kp.left_hip.visible && kp.right_hip.visible;
  // Without both hips (a half-length photo), the centre of the confident points stands in for mid-hip.
  const centre = hips
    ? mid(kp.left_hip, kp.right_hip)
    : { x: good.reduce((s, k) => s + k.x, 0) / good.length, y: good.reduce((s, k) => s + k.y, 0) / good.length };
  const radius = BODY_MARGIN * Math.max(...good.map((k) => Math.hypot(k.x - centre.x, k.y - centre.y)));
  const up = { x: shoulderMid.x - centre.x, y: shoulderMid.y - centre.y };
  if (radius < 8 || Math.hypot(up.x, up.y) < 1) return undefined;
  return alignedSquare(centre, radius, up);
}

export function roiFromLandmarks(landmarks: readonly Landmark[]): RotatedSquare {
  const centre = landmarks[CENTRE];
  const scale = landmarks[SCALE_POINT];
  const up = { x: scale.x - centre.x, y: scale.y - centre.y };
  return alignedSquare(centre, Math.hypot(up.x, up.y), up);
}
