// Forearms lying over the torso stay in front of a new top or dress: the segmentation does not split an arm
// from the body it crosses, so its extent comes from the elbow and wrist keypoints, its width from where
// the same forearm stands free of the body (a run of person pixels across it, bounded on both sides).
import type { Keypoints, Mask, Point, RgbImage } from '../types.js';
import { add, dist, sub, unit, type BodyGeometry } from './body-geometry.js';
import { rgbColour, skinMap, withoutWornPixels, type Colour } from './colour.js';
import { dilate, emptyMask, erode, fillEllipse, fillPolygon, intersect, union } from './raster.js';

/** Forearm width over shoulder width when nowhere along it stands free (MoveNet's adult proportions). */
const DEFAULT_WIDTH = 0.2;
const WIDTH_RANGE: readonly [number, number] = [0.1, 0.32];
const SAMPLES = 12;

/** Distance from p along dir to the first pixel off the person, or undefined past `limit` (merged with the body). */
function runLength(person: Mask, p: Point, dir: Point, limit: number): number | undefined {
  for (let s = 0; s <= limit; s++) {
    const x = Math.floor(p.x + dir.x * s);
    const y = Math.floor(p.y + dir.y * s);
    if (x < 0 || y < 0 || x >= person.width || y >= person.height || person.data[y * person.width + x] === 0) return s;
  }
  return undefined;
}

/**
 * The forearm's width in pixels: the median of the cross-sections, between the elbow and the wrist, that
 * end on background on both sides; a default share of the shoulders where none does.
 */
export function forearmWidth(person: Mask, elbow: Point, wrist: Point, shoulderWidth: number): number {
  const along = unit(sub(wrist, elbow));
  const across = { x: -along.y, y: along.x };
  const back = { x: along.y, y: -along.x };
  const limit = (WIDTH_RANGE[1] * shoulderWidth) / 2 + 2;
  const widths: number[] = [];
  for (let k = 1; k < SAMPLES; k++) {
    const t = 0.15 + (0.7 * k) / SAMPLES;
    const p = { x: elbow.x + (wrist.x - elbow.x) * t, y: elbow.y + (wrist.y - elbow.y) * t };
    const a = runLength(person, p, across, limit);
    const b = runLength(person, p, back, limit);
    // A centre off the person is a keypoint off the arm: no measurement there.
    if (a !== undefined && b !== undefined && a > 0 && b > 0) widths.push(a + b);
  }
  if (widths.length < 2) return DEFAULT_WIDTH * shoulderWidth;
  widths.sort((p, q) => p - q);
  const median = widths[widths.length >> 1];
  return Math.min(WIDTH_RANGE[1] * shoulderWidth, Math.max(WIDTH_RANGE[0] * shoulderWidth, median));
}

/**
 * Binary: each visible forearm (elbow to wrist, at its measured width, within the person) where it lies
 * over `torso`, the garment's body area. A forearm shorter than a tenth of the shoulders is foreshortened
 * towards the camera and left to the hand protection. With the `photo`, a bare forearm is its skin only,
 * without the `worn` garment's pixels beside it.
 */
export function forearmsOverTorso(kp: Keypoints, g: BodyGeometry, person: Mask, torso: Mask, photo?: RgbImage, worn?: Colour): Mask {
  const out = emptyMask(person.width, person.height);
  let skin: Mask | undefined;
  for (const side of ['left', 'right'] as const) {
    const elbow = kp[`${side}_elbow`];
    const wrist = kp[`${side}_wrist`];
    if (!elbow.visible || !wrist.visible || dist(elbow, wrist) < 0.1 * g.shoulderWidth) continue;
    // A pixel's margin: the segmentation's edge is soft and the keypoints are not on the bone exactly.
    const half = forearmWidth(person, elbow, wrist, g.shoulderWidth) / 2 + 1;
    // Rounded at the elbow, cut square at the wrist: past it is the hand, whose own protection follows
    // its skin; a round end there would keep a disc of the old garment around the wrist.
    const along = unit(sub(wrist, elbow));
    const across = { x: -along.y * half, y: along.x * half };
    const arm = emptyMask(person.width, person.height);
    fillEllipse(arm, elbow, half, half);
    fillPolygon(arm, [add(elbow, across), add(wrist, across), sub(wrist, across), sub(elbow, across)]);
    // The keypoint line is not the arm's axis exactly: a band as wide as the arm takes garment beside it.
    if (photo) skin ??= skinMap(photo);
    out.data.set(union(out, photo && skin ? ownPixels(photo, arm, skin, worn) : arm).data);
  }
  return intersect(intersect(out, person), torso);
}

/** Below this share of smooth skin in its band a forearm is sleeved (or unseen): its band stays whole. */
const BARE_SHARE = 0.2;

/**
 * The band's pixels that are the bare forearm's: smooth skin (a check or print beside it is not), closed
 * over creases and hair, and not nearer the worn garment's hue than the forearm's own skin (a pink blouse
 * beside a pink-toned arm). The keypoint line is not the arm's axis exactly, so a band as wide as the arm
 * takes some garment beside it. A sleeved forearm keeps the whole band: its colour is all there is.
 */
function ownPixels(photo: RgbImage, band: Mask, skin: Mask, worn: Colour | undefined): Mask {
  const onArm = intersect(skin, band);
  const channels: number[][] = [[], [], []];
  let inBand = 0;
  for (let i = 0; i < band.data.length; i++) {
    if (band.data[i] === 0) continue;
    inBand++;
    if (onArm.data[i] > 0) for (let c = 0; c < 3; c++) channels[c].push(photo.data[i * 3 + c]);
  }
  if (channels[0].length < BARE_SHARE * inBand) return band;
  const [r, g, b] = channels.map((v) => v.sort((p, q) => p - q)[v.length >> 1]);
  const arm = intersect(erode(dilate(onArm, 2), 2), band);
  return worn ? withoutWornPixels(photo, arm, rgbColour([r, g, b]), worn) : arm;
}

/**
 * Binary: each forearm up to the wrist line, a third of the shoulders either side of it, from a quarter of
 * the shoulders behind the elbow (the hand protection's margin reaches past the elbow): what a long sleeve
 * covers, taken out of the hand protection (which grows bare forearm skin from the wrist).
 */
export function sleevedForearms(kp: Keypoints, g: BodyGeometry, width: number, height: number): Mask {
  const out = emptyMask(width, height);
  for (const side of ['left', 'right'] as const) {
    const elbow = kp[`${side}_elbow`];
    const wrist = kp[`${side}_wrist`];
    if (!elbow.visible || !wrist.visible) continue;
    const along = unit(sub(wrist, elbow));
    const half = { x: -along.y * 0.33 * g.shoulderWidth, y: along.x * 0.33 * g.shoulderWidth };
    const back = { x: elbow.x - along.x * 0.25 * g.shoulderWidth, y: elbow.y - along.y * 0.25 * g.shoulderWidth };
    fillPolygon(out, [
      { x: back.x + half.x, y: back.y + half.y },
      { x: wrist.x + half.x, y: wrist.y + half.y },
      { x: wrist.x - half.x, y: wrist.y - half.y },
      { x: back.x - half.x, y: back.y - half.y },
    ]);
  }
  return out;
}
