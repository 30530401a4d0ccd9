// A top's sides follow the body between the shoulders and the hem: with only its four corners pinned,
// the spline draws each side as a straight line from the shoulder to the hip, so a top stands off a slim
// waist and cuts into a full one. One more pair per side pins the garment's width at its waist row to the
// body's outline there, read from the person segmentation (the arms, which the segmentation joins to the
// body, stop the walk).
import type { PreparedGarment } from '../../garment/prepare.js';
import { dist, type BodyGeometry } from '../../masks/body-geometry.js';
import type { Keypoints, Mask, Point } from '../../types.js';
import type { ControlPoints } from './garment-placement.js';

/** Where the waist pairs sit, from the shoulder line (0) to the hem (1). */
const WAIST = 0.62;
/** A garment hangs a little off the body: its side this far (shoulder widths) outside the outline. */
const EASE = 0.04;
/** The outline may move a side this far from the straight line, as a share of the centre-to-side distance. */
const REACH: readonly [number, number] = [0.75, 1.2];

const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
}

/** The garment's body at row y: the opaque run through column cx (a sleeve or tie beside it is not body). */
function garmentRow(garment: PreparedGarment, y: number, cx: number): [number, number] | undefined {
  const { width, data } = garment.image;
  const row = Math.round(y) * width;
  const opaque = (x: number): boolean => x >= 0 && x < width && data[(row + x) * 4 + 3] >= 128;
  let left = Math.round(cx);
  if (!opaque(left)) return undefined;
  let right = left;
  while (opaque(left - 1)) left--;
  while (opaque(right + 1)) right++;
  return [left, right + 1];
}

/**
 * Extra control pairs (photo, garment) for an upper garment placed by `cp` (its four corners: top-left,
 * top-right, hem-left, hem-right, left and right as in the image); none where the garment row or the
 * body outline cannot be read.
 */
export function waistPoints(garment: PreparedGarment, cp: ControlPoints, g: BodyGeometry, kp: Keypoints, person: Mask): ControlPoints {
  const none = { photo: [], garment: [] };
  if (garment.category !== 'upper') return none;
  const [gTopL, gTopR, gHemL] = cp.garment;
  const row = garmentRow(garment, lerp(gTopL, gHemL, WAIST).y, (gTopL.x + gTopR.x) / 2);
  if (!row) return none;
  const [topL, topR, hemL, hemR] = cp.photo;
  const centre = lerp(lerp(topL, topR, 0.5), lerp(hemL, hemR, 0.5), WAIST);
  const arms = (['left', 'right'] as const).flatMap((side) => {
    const [s, e, w] = [kp[`${side}_shoulder`], kp[`${side}_elbow`], kp[`${side}_wrist`]];
    return [e.visible ? ([s, e, 0.12] as const) : undefined, e.visible && w.visible ? ([e, w, 0.1] as const) : undefined].filter((a) => a !== undefined);
  });
  const onArm = (p: Point): boolean => arms.some(([a, b, r]) => segmentDistance(p, a, b) < r * g.shoulderWidth);
  const photo: Point[] = [];
  const garmentPts: Point[] = [];
  for (const [i, side] of [lerp(topL, hemL, WAIST), lerp(topR, hemR, WAIST)].entries()) {
    const straight = dist(centre, side);
    const dir = { x: (side.x - centre.x) / (straight || 1), y: (side.y - centre.y) / (straight || 1) };
    // Outwards from the body's middle to the first pixel off the person or on an arm.
    let s = 0;
    for (; s < REACH[1] * straight; s++) {
      const x = Math.floor(centre.x + dir.x * s);
      const y = Math.floor(centre.y + dir.y * s);
      if (x < 0 || y < 0 || x >= person.width || y >= person.height || person.data[y * person.width + x] < 0.5) break;
      if (onArm({ x: x + 0.5, y: y + 0.5 })) break;
    }
    const reach = Math.min(REACH[1] * straight, Math.max(REACH[0] * straight, s + EASE * g.shoulderWidth));
    photo.push({ x: centre.x + dir.x * reach, y: centre.y + dir.y * reach });
    garmentPts.push({ x: row[i], y: lerp(gTopL, gHemL, WAIST).y });
  }
  return { photo, garment: garmentPts };
}
