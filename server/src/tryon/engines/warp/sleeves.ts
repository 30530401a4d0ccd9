// Sleeves of a flat-lay top stick out sideways; on the body they hang along the arms. Each sleeve is
// split off the garment (the part beside the body's columns, in the upper half) and turned about its
// shoulder seam onto the upper arm by a similarity transform (rotation + the torso's scale).
import type { PreparedGarment } from '../../garment/prepare.js';
import { add, outward, scale, sub, unit, type BodyGeometry } from '../../masks/body-geometry.js';
import type { Keypoints, Point } from '../../types.js';

/** Garment pixel labels: 0 backdrop/torso, 1 image-left sleeve, 2 image-right sleeve. */
export interface SleeveSplit {
  readonly labels: Uint8Array;
  /** Inverse maps (photo -> garment) per sleeve, or undefined when the garment has none on that side. */
  readonly toGarment: readonly (((x: number, y: number) => Point) | undefined)[];
}

interface SleeveShape {
  readonly pivot: Point;
  readonly direction: Point;
}

function splitSleeves(garment: PreparedGarment): { labels: Uint8Array; shapes: (SleeveShape | undefined)[] } {
  const { image, landmarks: lm } = garment;
  const labels = new Uint8Array(image.width * image.height);
  const bottom = (lm.bottomLeft.y + lm.bottomRight.y) / 2;
  const lowest = lm.topLeft.y + 0.55 * (bottom - lm.topLeft.y);
  const sums = [
    { x: 0, y: 0, n: 0 },
    { x: 0, y: 0, n: 0 },
  ];
  const margin = 0.04 * (lm.topRight.x - lm.topLeft.x);
  for (let y = 0; y < Math.min(image.height, lowest); y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[(y * image.width + x) * 4 + 3] < 128) continue;
      const side = x < lm.topLeft.x - margin ? 1 : x > lm.topRight.x + margin ? 2 : 0;
      if (!side) continue;
      labels[y * image.width + x] = side;
      sums[side - 1].x += x;
      sums[side - 1].y += y;
      sums[side - 1].n++;
    }
  }
  const minPixels = 0.004 * image.width * image.height;
  const shapes = sums.map((s, i) => {
    if (s.n < minPixels) return undefined;
    const pivot = i === 0 ? lm.topLeft : lm.topRight;
    return { pivot, direction: unit(sub({ x: s.x / s.n, y: s.y / s.n }, pivot)) };
  });
  return { labels, shapes };
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
    const pivot = add(outward(shoulder, g.shoulderMid, 0.2 * g.shoulderWidth), scale(g.down, -0.04 * g.torsoLength));
    const arm = elbow.visible ? unit(sub(elbow, shoulder)) : unit(add(g.down, scale(sub(shoulder, g.shoulderMid), 0.3 / g.shoulderWidth)));
    // Rotation taking the person's arm direction to the garment's sleeve direction (photo -> garment).
    const cos = arm.x * shape.direction.x + arm.y * shape.direction.y;
    const sin = arm.x * shape.direction.y - arm.y * shape.direction.x;
    const inv = 1 / torsoScale;
    return (x: number, y: number): Point => {
      const dx = (x - pivot.x) * inv;
      const dy = (y - pivot.y) * inv;
      return { x: shape.pivot.x + cos * dx - sin * dy, y: shape.pivot.y + sin * dx + cos * dy };
    };
  });
  return { labels, toGarment };
}
