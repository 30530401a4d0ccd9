// Sleeves of a flat-lay top stick out sideways; on the body they hang along the arms. Each sleeve is
// split off the garment (the part beside the body's columns) and turned about its shoulder seam onto the
// upper arm (rotation + the torso's scale); a long sleeve also bends at the elbow onto the forearm.
import type { PreparedGarment } from '../../garment/prepare.js';
import { add, outward, scale, sub, unit, type BodyGeometry } from '../../masks/body-geometry.js';
import type { Keypoints, Point } from '../../types.js';
import { sleeveMap } from './elbow-bend.js';

/** Garment pixel labels: 0 backdrop/torso, 1 image-left sleeve, 2 image-right sleeve. */
export interface SleeveSplit {
  readonly labels: Uint8Array;
  /** Inverse maps (photo -> garment) per sleeve, or undefined when the garment has none on that side. */
  readonly toGarment: readonly (((x: number, y: number) => Point) | undefined)[];
}

interface SleeveShape {
  readonly pivot: Point;
  readonly direction: Point;
  /** Seam to cuff along `direction`, garment pixels. */
  readonly length: number;
  /** The sleeve's centre line (principal axis of its pixels) from the seam, and its length along it. */
  readonly centre: { readonly pivot: Point; readonly direction: Point; readonly length: number };
}

/** Unit principal axis of the pixels (2x2 covariance), pointing the way `towards` does. */
function principalAxis(xx: number, xy: number, yy: number, towards: Point): Point {
  const angle = 0.5 * Math.atan2(2 * xy, xx - yy);
  const axis = { x: Math.cos(angle), y: Math.sin(angle) };
  return axis.x * towards.x + axis.y * towards.y < 0 ? scale(axis, -1) : axis;
}

/**
 * A sleeve longer than this share of the body's shoulder-to-hip length reaches well past the elbow (an
 * upper arm is about 0.6 of it). Measured from the body's side, shoulder included: a tee's sleeve is
 * 0.3-0.6 of it, a dress's puff sleeve 0.8 (its body's columns are its waist), a long sleeve 1 or more.
 */
const LONG_SLEEVE = 0.9;

/**
 * The garment's shoulder-to-hip length, garment pixels: a top's hem falls a tenth of it below the hips
 * (as garment-placement puts it), a dress's waist a fifth above them.
 */
function torsoLength(garment: PreparedGarment): number {
  const lm = garment.landmarks;
  if (garment.category === 'dress' && lm.waistY !== undefined) return (lm.waistY - lm.topLeft.y) / 0.8;
  return ((lm.bottomLeft.y + lm.bottomRight.y) / 2 - lm.topLeft.y) / 1.1;
}

/**
 * Sleeve pixels: beside the body's columns in the upper half, above a dress's waist (a tie or a flared
 * hem or skirt lower down is body).
 * A sleeve that reaches the bottom of that band (a long one hanging down) is followed on below it, where a
 * gap in the row parts it from the body (a flared skirt beside the columns joins the body, a sleeve not).
 */
function splitSleeves(garment: PreparedGarment): { labels: Uint8Array; shapes: (SleeveShape | undefined)[] } {
  const { image, landmarks: lm } = garment;
  const { width, height } = image;
  const labels = new Uint8Array(width * height);
  const bottom = (lm.bottomLeft.y + lm.bottomRight.y) / 2;
  // A dress flares below its waist: only a sleeve hanging clear of the skirt is followed below it.
  const band = Math.min(lm.topLeft.y + 0.55 * (bottom - lm.topLeft.y), garment.category === 'dress' ? (lm.waistY ?? bottom) : bottom);
  const lowest = Math.min(height, Math.ceil(band));
  const margin = 0.04 * (lm.topRight.x - lm.topLeft.x);
  const opaque = (i: number): boolean => image.data[i * 4 + 3] >= 128;
  const sideOf = (i: number): number => {
    if (!opaque(i)) return 0;
    const x = i % width;
    return x < lm.topLeft.x - margin ? 1 : x > lm.topRight.x + margin ? 2 : 0;
  };
  for (let i = 0; i < lowest * width; i++) labels[i] = sideOf(i);
  // Per row from the band's last one down: the innermost transparent pixel beside each column.
  const gapL = new Int32Array(height).fill(-1);
  const gapR = new Int32Array(height).fill(width);
  for (let y = Math.max(0, lowest - 1); y < height; y++) {
    for (let x = Math.floor(lm.topLeft.x - margin); x >= 0 && gapL[y] < 0; x--) if (!opaque(y * width + x)) gapL[y] = x;
    for (let x = Math.ceil(lm.topRight.x + margin); x < width && gapR[y] === width; x++) if (!opaque(y * width + x)) gapR[y] = x;
  }
  const apart = (i: number, side: number): boolean => {
    const [x, y] = [i % width, Math.floor(i / width)];
    return side === 1 ? x < gapL[y] : x > gapR[y];
  };
  const queue: number[] = [];
  for (let i = Math.max(0, lowest - 1) * width; i < lowest * width; i++) if (labels[i] && apart(i, labels[i])) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    const x = i % width;
    for (const j of [i + width, x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1]) {
      if (j < lowest * width || j >= labels.length || labels[j] || sideOf(j) !== labels[i] || !apart(j, labels[i])) continue;
      labels[j] = labels[i];
      queue.push(j);
    }
  }
  const sums = [0, 1].map(() => ({ x: 0, y: 0, xx: 0, xy: 0, yy: 0, n: 0 }));
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    const s = sums[labels[i] - 1];
    const [x, y] = [i % width, Math.floor(i / width)];
    s.x += x;
    s.y += y;
    s.xx += x * x;
    s.xy += x * y;
    s.yy += y * y;
    s.n++;
  }
  const minPixels = 0.004 * width * height;
  const shapes = sums.map((s, side): SleeveShape | undefined => {
    if (s.n < minPixels) return undefined;
    const pivot = side === 0 ? lm.topLeft : lm.topRight;
    const mean = { x: s.x / s.n, y: s.y / s.n };
    const direction = unit(sub(mean, pivot));
    const axis = principalAxis(s.xx / s.n - mean.x * mean.x, s.xy / s.n - mean.x * mean.y, s.yy / s.n - mean.y * mean.y, direction);
    // The centre line starts level with the seam corner (its projection onto the axis).
    const centre = add(mean, scale(axis, (pivot.x - mean.x) * axis.x + (pivot.y - mean.y) * axis.y));
    let length = 0;
    let centreLength = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== side + 1) continue;
      const [x, y] = [i % width, Math.floor(i / width)];
      length = Math.max(length, (x - pivot.x) * direction.x + (y - pivot.y) * direction.y);
      centreLength = Math.max(centreLength, (x - centre.x) * axis.x + (y - centre.y) * axis.y);
    }
    return { pivot, direction, length, centre: { pivot: centre, direction: axis, length: centreLength } };
  });
  return { labels, shapes };
}

const isLong = (shape: SleeveShape | undefined, garment: PreparedGarment): boolean => shape !== undefined && shape.length > LONG_SLEEVE * torsoLength(garment);

/** Whether the garment has a sleeve long enough to cover a forearm. */
export function hasLongSleeves(garment: PreparedGarment): boolean {
  return garment.category !== 'lower' && splitSleeves(garment).shapes.some((shape) => isLong(shape, garment));
}

/** Far off any garment: a photo point mapped here samples nothing. */
const NOWHERE: Point = { x: -1e6, y: -1e6 };

/**
 * A sleeve that is not long ends above the elbow: a wide flat-lay sleeve turned onto the upper arm would
 * otherwise lay its far corner along the forearm and past the arm's outline.
 */
function endAtElbow(map: (x: number, y: number) => Point, shoulder: Point, elbow: Point): (x: number, y: number) => Point {
  const axis = unit(sub(elbow, shoulder));
  const reach = (elbow.x - shoulder.x) * axis.x + (elbow.y - shoulder.y) * axis.y;
  return (x, y) => ((x - shoulder.x) * axis.x + (y - shoulder.y) * axis.y > reach ? NOWHERE : map(x, y));
}

export function placeSleeves(garment: PreparedGarment, g: BodyGeometry, kp: Keypoints, torsoScale: number): SleeveSplit {
  const { labels, shapes } = splitSleeves(garment);
  // Image-left and image-right shoulders/elbows of the person.
  const leftIsImageLeft = kp.left_shoulder.x <= kp.right_shoulder.x;
  const sides = leftIsImageLeft ? (['left', 'right'] as const) : (['right', 'left'] as const);
  const toGarment = shapes.map((shape, i) => {
    if (!shape) return undefined;
    const side = sides[i];
    const shoulder = side === 'left' ? g.leftShoulder : g.rightShoulder;
    const elbow = kp[`${side}_elbow`];
    const wrist = kp[`${side}_wrist`];
    const pivot = add(outward(shoulder, g.shoulderMid, 0.2 * g.shoulderWidth), scale(g.down, -0.04 * g.torsoLength));
    // Without an elbow the arm hangs down, a little away from the body.
    const hanging = add(shoulder, scale(unit(add(g.down, scale(sub(shoulder, g.shoulderMid), 0.3 / g.shoulderWidth))), 0.5 * g.torsoLength));
    if (!(elbow.visible && wrist.visible && isLong(shape, garment))) {
      const bend = elbow.visible ? elbow : hanging;
      return endAtElbow(sleeveMap({ pivot, shoulder, elbow: bend }, shape, torsoScale, 0), shoulder, bend);
    }
    // A long sleeve is laid centre line on the arm's: shoulder joint, elbow, wrist.
    return sleeveMap({ pivot: shoulder, shoulder, elbow, wrist }, shape.centre, torsoScale, 0.08 * g.shoulderWidth);
  });
  return { labels, toGarment };
}
