// Where the garment's landmarks land on the body: pairs of (photo point, garment point) for the spline.
import type { PreparedGarment } from '../../garment/prepare.js';
import { add, outward, scale, type BodyGeometry } from '../../masks/body-geometry.js';
import type { Point } from '../../types.js';

export interface ControlPoints {
  readonly photo: Point[];
  readonly garment: Point[];
}

/** Orders a pair of body points left-to-right in the image, as the garment's landmarks are. */
const byX = (a: Point, b: Point): [Point, Point] => (a.x <= b.x ? [a, b] : [b, a]);
const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

export function controlPoints(garment: PreparedGarment, g: BodyGeometry): ControlPoints {
  const lm = garment.landmarks;
  const up = scale(g.down, -1);
  const garmentLength = ((lm.bottomLeft.y + lm.bottomRight.y) / 2 - (lm.topLeft.y + lm.topRight.y) / 2) || 1;
  if (garment.category === 'lower') {
    const [waistL, waistR] = byX(
      add(outward(g.leftHip, g.hipMid, 0.3 * g.hipWidth), scale(up, 0.2 * g.torsoLength)),
      add(outward(g.rightHip, g.hipMid, 0.3 * g.hipWidth), scale(up, 0.2 * g.torsoLength)),
    );
    // The garment keeps its proportions: its length follows from its waist width on this body.
    const length = (garmentLength * Math.hypot(waistR.x - waistL.x, waistR.y - waistL.y)) / Math.max(1, lm.bodyWidth);
    const legLength = Math.max(1, Math.hypot(g.leftAnkle.x - g.leftHip.x, g.leftAnkle.y - g.leftHip.y) + 0.2 * g.torsoLength);
    const t = Math.min(1.1, length / legLength);
    const [legL, legR] = byX(lerp(g.leftHip, g.leftAnkle, t), lerp(g.rightHip, g.rightAnkle, t));
    const waistMid = lerp(waistL, waistR, 0.5);
    const bottomL = { x: legL.x, y: waistMid.y + length * g.down.y };
    const bottomR = { x: legR.x, y: waistMid.y + length * g.down.y };
    return { photo: [waistL, waistR, bottomL, bottomR], garment: [lm.topLeft, lm.topRight, lm.bottomLeft, lm.bottomRight] };
  }
  const [shL, shR] = byX(
    add(outward(g.leftShoulder, g.shoulderMid, 0.2 * g.shoulderWidth), scale(up, 0.04 * g.torsoLength)),
    add(outward(g.rightShoulder, g.shoulderMid, 0.2 * g.shoulderWidth), scale(up, 0.04 * g.torsoLength)),
  );
  if (garment.category === 'upper') {
    const [hemL, hemR] = byX(
      add(outward(g.leftHip, g.hipMid, 0.5 * g.hipWidth), scale(g.down, 0.1 * g.torsoLength)),
      add(outward(g.rightHip, g.hipMid, 0.5 * g.hipWidth), scale(g.down, 0.1 * g.torsoLength)),
    );
    return { photo: [shL, shR, hemL, hemR], garment: [lm.topLeft, lm.topRight, lm.bottomLeft, lm.bottomRight] };
  }
  // Dress: hung from the shoulders, kept in proportion (a similarity): its shoulder-to-waist length
  // matches the body's (waist a fifth of the torso above the hip joints), which sets its length and flare.
  const garmentTorso = (lm.waistY ?? lm.topLeft.y + 0.3 * garmentLength) - lm.topLeft.y;
  const s = (0.8 * g.torsoLength) / Math.max(1, garmentTorso);
  const topMid = lerp(shL, shR, 0.5);
  const gTopMid = lerp(lm.topLeft, lm.topRight, 0.5);
  const place = (p: Point): Point => add(topMid, { x: (p.x - gTopMid.x) * s, y: (p.y - gTopMid.y) * s });
  return {
    photo: [shL, shR, place(lm.bottomLeft), place(lm.bottomRight)],
    garment: [lm.topLeft, lm.topRight, lm.bottomLeft, lm.bottomRight],
  };
}
