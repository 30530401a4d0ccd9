// Hands and forearms kept out of the mask whatever the garment. Where BlazePose gave a hand's wrist and
// finger points, the palm they outline is kept whatever its colour, with the skin joined to it. Either way
// (alone where BlazePose gave nothing) skin-coloured pixels are grown from just past MoveNet's wrist, within
// the person segmentation and a reach set by the forearm's length. Colour is compared as chromaticity plus
// a brightness ratio, so shading on the hand stays in while dark or white cloth beside it (trousers, a held
// hem) stays out.
import { handOutline } from '../person-analysis/hand-outline.js';
import type { HandKeypoints, Keypoints, Mask, Point, RgbImage } from '../types.js';
import { add, dist, scale, sub, unit, type BodyGeometry } from './body-geometry.js';
import { dilate, emptyMask, erode, fillCapsule, fillEllipse, fillPolygon, intersect, union } from './raster.js';
import { colourAt, hueDistance, rgbColour, skinLike, skinMap, withoutWornPixels, wornColour, type Colour } from './colour.js';

type Side = 'left' | 'right';

const CHROMA_TOLERANCE = 0.045;
const BRIGHTNESS_RANGE: readonly [number, number] = [0.3, 1.8];
/** BlazePose's wrist this far from MoveNet's (shoulder widths) belongs to another arm or a misread pose. */
const WRIST_AGREEMENT = 0.35;
/** The protection's margin round a hand and along the forearm, in shoulder widths: fingers the colour test misses. */
const HAND_MARGIN = 0.1;
const FOREARM_MARGIN = 0.025;



function alike(a: Colour, ref: Colour): boolean {
  const ratio = a.brightness / ref.brightness;
  return Math.hypot(a.r - ref.r, a.g - ref.g) < CHROMA_TOLERANCE && ratio > BRIGHTNESS_RANGE[0] && ratio < BRIGHTNESS_RANGE[1];
}

/** Mean colour of the person pixels within `radius` of `centre` (the hand's own colour). */
function referenceColour(photo: RgbImage, person: Mask, centre: Point, radius: number): Colour | undefined {
  const disc = emptyMask(photo.width, photo.height);
  fillEllipse(disc, centre, radius, radius);
  let r = 0;
  let g = 0;
  let brightness = 0;
  let n = 0;
  for (let i = 0; i < disc.data.length; i++) {
    if (disc.data[i] === 0 || person.data[i] === 0 || !skinLike(photo, i)) continue;
    const c = colourAt(photo, i);
    r += c.r;
    g += c.g;
    brightness += c.brightness;
    n++;
  }
  // Too few skin pixels (a glove, a sleeve over the hand): no reliable colour to grow from.
  return n < 12 ? undefined : { r: r / n, g: g / n, brightness: brightness / n };
}

/**
 * The skin colour being grown: the test `grow` applies. A skin-toned garment (`worn`, the colour of what the
 * person wears) passes the skin gate and the tolerance round the hand's colour, so a pixel nearer its hue
 * than the hand's is cloth.
 */
interface SkinTest {
  readonly skin: Mask;
  readonly worn?: Colour;
}

function skinAt(photo: RgbImage, i: number, ref: Colour, test: SkinTest): boolean {
  if (test.skin.data[i] === 0) return false;
  const colour = colourAt(photo, i);
  return alike(colour, ref) && (!test.worn || hueDistance(colour, ref) < hueDistance(colour, test.worn));
}

/** Breadth-first growth from the seed pixels over `allowed` pixels alike to `ref`. */
function grow(photo: RgbImage, seeds: Mask, allowed: Mask, ref: Colour, test: SkinTest): Mask {
  const out = emptyMask(photo.width, photo.height);
  const queue: number[] = [];
  for (let i = 0; i < seeds.data.length; i++) {
    if (seeds.data[i] > 0 && allowed.data[i] > 0 && skinAt(photo, i, ref, test)) {
      out.data[i] = 1;
      queue.push(i);
    }
  }
  const w = photo.width;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    const x = i % w;
    for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
      if (j < 0 || j >= out.data.length || out.data[j] > 0 || allowed.data[j] === 0) continue;
      if (!skinAt(photo, j, ref, test)) continue;
      out.data[j] = 1;
      queue.push(j);
    }
  }
  return out;
}

/** Today's search from MoveNet's wrist alone: a skin-coloured area past it, or the whole area a hand can take. */
function handPastWrist(photo: RgbImage | undefined, kp: Keypoints, side: Side, g: BodyGeometry, person: Mask, skin: () => SkinTest): Mask | undefined {
  const wrist = kp[`${side}_wrist`];
  if (!wrist.visible) return undefined;
  const elbow = kp[`${side}_elbow`];
  const sw = g.shoulderWidth;
  // Forearm direction and length; without an elbow, the hand hangs along the body.
  const forearmLength = elbow.visible ? Math.max(0.35 * sw, dist(wrist, elbow)) : 0.55 * sw;
  const along = elbow.visible ? unit(sub(wrist, elbow)) : g.down;
  const handLength = 0.8 * forearmLength;
  // Where a hand can be: a rounded area past the wrist (it bends at the wrist), within the person.
  const reach = emptyMask(person.width, person.height);
  fillCapsule(reach, wrist, add(wrist, scale(along, handLength)), 0.4 * handLength);
  const near = intersect(reach, person);
  const core = emptyMask(person.width, person.height);
  fillEllipse(core, wrist, 0.12 * handLength, 0.12 * handLength);
  const ref = photo ? referenceColour(photo, person, wrist, 0.15 * handLength) : undefined;
  // No skin to go by: keep the whole area a hand can take, rather than paint over one.
  if (!photo || !ref) return near;
  // The bare forearm too (an arm in front of the body stays in front): the same skin, up to the elbow.
  const arm = emptyMask(person.width, person.height);
  if (elbow.visible) fillCapsule(arm, elbow, wrist, 0.13 * forearmLength);
  const allowed = union(near, intersect(arm, person));
  return union(grow(photo, core, allowed, ref, skin()), intersect(core, person));
}

/**
 * The hand from BlazePose's wrist and finger points: the palm they outline, kept whatever its colour (a
 * glove, a skin-toned sleeve), and the fingers as the skin joined to it within the reach of the fingertips.
 * Without colours to go by, the whole reach. Undefined when BlazePose gave no confident hand, or one whose
 * wrist is not MoveNet's (another arm, a misread pose).
 */
function handFromPoints(photo: RgbImage | undefined, kp: Keypoints, hands: HandKeypoints | undefined, side: Side, sw: number, person: Mask, skin: () => SkinTest): Mask | undefined {
  const points = hands?.[side];
  const outline = points ? handOutline(points) : undefined;
  if (!points || !outline) return undefined;
  const wrist = kp[`${side}_wrist`];
  if (wrist.visible && dist(wrist, points.wrist) > WRIST_AGREEMENT * sw) return undefined;
  // Within the person (the segmentation, already grown past fingers); the reach a finger's width wider.
  const fill = (polygon: readonly Point[], margin: number): Mask => {
    const m = emptyMask(person.width, person.height);
    fillPolygon(m, polygon);
    return intersect(dilate(m, margin), person);
  };
  const reach = fill(outline.reach, 0.25 * outline.palmLength);
  const ref = photo ? referenceColour(photo, person, outline.centre, 0.3 * outline.palmLength) : undefined;
  if (!photo || !ref) return reach;
  // No margin round the palm: the final margin below covers its edge, and more would take cloth beside it.
  const test = skin();
  // A hand on the hip or behind the body covers less than its points outline: the rest is the garment.
  const palm = test.worn ? withoutWornPixels(photo, fill(outline.palm, 0), ref, test.worn) : fill(outline.palm, 0);
  return union(palm, grow(photo, palm, reach, ref, test));
}

/**
 * Binary: both hands (and the bare forearm skin joined to them), grown a little for the feathered edge.
 * `hands`: BlazePose's hand points (PersonAnalysis.hands); without them, the search past MoveNet's wrists alone.
 */
export function handRegion(photo: RgbImage | undefined, kp: Keypoints, hands: HandKeypoints | undefined, g: BodyGeometry, segmented: Mask): Mask {
  const out = emptyMask(segmented.width, segmented.height);
  const sw = g.shoulderWidth;
  // The segmentation trims fingers; the garment mask reaches this far past it, so the hands must too.
  const person = dilate(segmented, 0.06 * sw);
  let skinMemo: SkinTest | undefined;
  const skin = (): SkinTest => {
    if (skinMemo) return skinMemo;
    const worn = photo ? wornColour(photo, g, segmented) : undefined;
    skinMemo = { skin: photo ? skinMap(photo) : emptyMask(person.width, person.height), ...(worn ? { worn: rgbColour(worn) } : {}) };
    return skinMemo;
  };
  for (const side of ['left', 'right'] as const) {
    const parts = [handPastWrist(photo, kp, side, g, person, skin), handFromPoints(photo, kp, hands, side, sw, person, skin)];
    const found = parts.filter((m): m is Mask => m !== undefined);
    if (found.length === 0) continue;
    const hand = found.reduce((a, b) => union(a, b));
    // Closing fills nails and highlights the colour test left out.
    const merged = union(out, erode(dilate(hand, 0.04 * sw), 0.04 * sw));
    out.data.set(merged.data);
  }
  // A margin past the skin: the keypoint-led growth misses edge pixels of a hand (fingers, nails, shadow
  // between them). Up the forearm, where the skin is one smooth area, a wide margin would keep a strip of
  // the old garment beside an arm hanging against the body: there it is a few pixels.
  const handMargin = intersect(dilate(out, Math.max(1, HAND_MARGIN * sw)), pastWrists(kp, hands, g, out.width, out.height));
  return union(handMargin, dilate(out, Math.max(1, FOREARM_MARGIN * sw)));
}

/**
 * Binary: beyond each wrist's line across the forearm, on the hand's side, as far as a hand reaches.
 * MoveNet's wrist, else BlazePose's (pointing to its knuckles where the elbow is not seen).
 */
function pastWrists(kp: Keypoints, hands: HandKeypoints | undefined, g: BodyGeometry, width: number, height: number): Mask {
  const out = emptyMask(width, height);
  for (const side of ['left', 'right'] as const) {
    const points = hands?.[side];
    const elbow = kp[`${side}_elbow`];
    const wrist = kp[`${side}_wrist`].visible ? kp[`${side}_wrist`] : points?.wrist.visible ? points.wrist : undefined;
    if (!wrist) continue;
    const knuckles = points && points.index.visible && points.pinky.visible ? scale(add(points.index, points.pinky), 0.5) : undefined;
    const along = elbow.visible ? unit(sub(wrist, elbow)) : knuckles ? unit(sub(knuckles, wrist)) : g.down;
    const across = scale({ x: -along.y, y: along.x }, g.shoulderWidth);
    const far = add(wrist, scale(along, g.shoulderWidth));
    fillPolygon(out, [add(wrist, across), add(far, across), sub(far, across), sub(wrist, across)]);
  }
  return out;
}
