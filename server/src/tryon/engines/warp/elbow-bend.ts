// A long sleeve bent at the elbow: two similarity transforms (photo -> garment), one turning the upper arm
// onto the sleeve's axis about the shoulder seam, one turning the forearm onto the same axis about the
// elbow, which both send to the same point of the sleeve; along the forearm the sleeve is stretched or
// squeezed so its cuff lands on the wrist (a flat lay's sleeve is rarely the arm's length). Photo pixels take one or the other by the side
// of the elbow's bisector they lie on, blended across a band so the sleeve folds without a seam.
import type { Point } from '../../types.js';

export interface Limb {
  /** Photo: the sleeve's seam point on the shoulder, the shoulder joint, the elbow and the wrist. */
  readonly pivot: Point;
  readonly shoulder: Point;
  readonly elbow: Point;
  readonly wrist?: Point;
}

export interface SleeveAxis {
  /** Garment: the sleeve's seam point, the unit direction it points along, and its length to the cuff. */
  readonly pivot: Point;
  readonly direction: Point;
  readonly length: number;
}

type Map = (x: number, y: number) => Point;

/** Rotation taking photo direction `from` onto garment direction `to`, photo `a` to garment `b`, scaled by `inv`. */
function similarity(a: Point, from: Point, b: Point, to: Point, inv: number): Map {
  const cos = from.x * to.x + from.y * to.y;
  const sin = from.x * to.y - from.y * to.x;
  return (x, y) => {
    const dx = (x - a.x) * inv;
    const dy = (y - a.y) * inv;
    return { x: b.x + cos * dx - sin * dy, y: b.y + sin * dx + cos * dy };
  };
}

const unit = (p: Point): Point => {
  const n = Math.hypot(p.x, p.y) || 1;
  return { x: p.x / n, y: p.y / n };
};

/**
 * Photo -> garment for a sleeve on `limb`; `torsoScale`: photo pixels per garment pixel. Without a wrist
 * (a short sleeve, or a hidden hand) the whole sleeve follows the upper arm. `blend`: half-width in photo
 * pixels of the band at the elbow where the two transforms are mixed.
 */
export function sleeveMap(limb: Limb, axis: SleeveAxis, torsoScale: number, blend: number): Map {
  const inv = 1 / torsoScale;
  const upperDir = unit({ x: limb.elbow.x - limb.shoulder.x, y: limb.elbow.y - limb.shoulder.y });
  const upper = similarity(limb.pivot, upperDir, axis.pivot, axis.direction, inv);
  if (!limb.wrist) return upper;
  const foreDir = unit({ x: limb.wrist.x - limb.elbow.x, y: limb.wrist.y - limb.elbow.y });
  // The elbow on the upper arm's line (the keypoint may sit off it), and where the sleeve folds.
  const reach = (limb.elbow.x - limb.pivot.x) * upperDir.x + (limb.elbow.y - limb.pivot.y) * upperDir.y;
  const elbow = { x: limb.pivot.x + upperDir.x * reach, y: limb.pivot.y + upperDir.y * reach };
  const fold = upper(elbow.x, elbow.y);
  const forearm = Math.max(1, Math.hypot(limb.wrist.x - elbow.x, limb.wrist.y - elbow.y));
  const rest = axis.length - ((fold.x - axis.pivot.x) * axis.direction.x + (fold.y - axis.pivot.y) * axis.direction.y);
  // Within reason: a sleeve much shorter or longer than the arm is more likely a misread than a cut.
  const stretch = Math.min(1.6 * inv, Math.max(0.6 * inv, rest / forearm));
  const d = axis.direction;
  const fore = (x: number, y: number): Point => {
    const along = ((x - elbow.x) * foreDir.x + (y - elbow.y) * foreDir.y) * stretch;
    const across = (-(x - elbow.x) * foreDir.y + (y - elbow.y) * foreDir.x) * inv;
    return { x: fold.x + d.x * along - d.y * across, y: fold.y + d.y * along + d.x * across };
  };
  // The bisector's normal; an arm folded flat back (directions opposite) keeps the upper arm's direction.
  const sum = { x: upperDir.x + foreDir.x, y: upperDir.y + foreDir.y };
  const normal = Math.hypot(sum.x, sum.y) > 0.2 ? unit(sum) : upperDir;
  // Each transform is a whole-plane rotation: past the fold the upper arm's would lay the forearm's part
  // of the sleeve beside the elbow, and behind it the forearm's the upper arm's part: those go off the canvas.
  const off: Point = { x: -1e9, y: -1e9 };
  return (x, y) => {
    const side = (x - elbow.x) * normal.x + (y - elbow.y) * normal.y;
    const pastElbow = (x - elbow.x) * upperDir.x + (y - elbow.y) * upperDir.y;
    const beforeElbow = (x - elbow.x) * foreDir.x + (y - elbow.y) * foreDir.y;
    const a = side < blend && pastElbow <= blend ? upper(x, y) : off;
    const b = side > -blend && beforeElbow >= -blend ? fore(x, y) : off;
    if (side <= -blend || b === off) return a;
    if (side >= blend || a === off) return b;
    const t = (side + blend) / (2 * blend);
    const w = t * t * (3 - 2 * t);
    return { x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w };
  };
}
