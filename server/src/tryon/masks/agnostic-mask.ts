// The garment-agnostic mask: where the new garment may go, built as IDM-VTON / OOTDiffusion / CatVTON
// build theirs from pose and parsing: the garment's body region (arms for sleeves, legs for trousers),
// limited to the dilated person so the background stays, minus protected parts (face, hair, hands, feet).
import type { Category, Keypoints, Mask, PersonAnalysis, Point, RgbImage } from '../types.js';
import { forearmsOverTorso, sleevedForearms } from './arms.js';
import { handRegion } from './hands.js';
import { add, bodyGeometry, mid, outward, scale, sub, type BodyGeometry } from './body-geometry.js';
import { rgbColour, wornColour } from './colour.js';
import { binarize, dilate, emptyMask, fillCapsule, fillEllipse, fillPolygon, growWithin, intersect, subtract, union } from './raster.js';

/** The top's body: shoulders (and a little of the neck) down to just below the hips, without the arms. */
function torsoPolygon(g: BodyGeometry): Point[] {
  const sw = g.shoulderWidth;
  const up = scale(g.down, -1);
  const ls = add(outward(g.leftShoulder, g.shoulderMid, 0.12 * sw), scale(up, 0.08 * g.torsoLength));
  const rs = add(outward(g.rightShoulder, g.shoulderMid, 0.12 * sw), scale(up, 0.08 * g.torsoLength));
  // The collar reaches a little up the neck so the old neckline is hidden.
  const neck = add(g.shoulderMid, scale(up, 0.12 * g.torsoLength));
  const neckL = add(neck, scale(sub(g.leftShoulder, g.shoulderMid), 0.35));
  const neckR = add(neck, scale(sub(g.rightShoulder, g.shoulderMid), 0.35));
  const hemL = add(outward(g.leftHip, g.hipMid, 0.3 * g.hipWidth + 0.1 * sw), scale(g.down, 0.12 * g.torsoLength));
  const hemR = add(outward(g.rightHip, g.hipMid, 0.3 * g.hipWidth + 0.1 * sw), scale(g.down, 0.12 * g.torsoLength));
  return [ls, neckL, neckR, rs, hemR, hemL];
}

/** Cuts each visible forearm out of `band`, so a growth over the person does not run along the arm. */
function cutForearms(band: Mask, g: BodyGeometry, kp: Keypoints): void {
  for (const side of ['left', 'right'] as const) {
    const [elbow, wrist] = [kp[`${side}_elbow`], kp[`${side}_wrist`]];
    if (elbow.visible && wrist.visible) fillCapsule(band, elbow, wrist, 0.12 * g.shoulderWidth, 0);
  }
}

/**
 * A loose or wide top reaches past the torso polygon at the sides, between the arms and the body, where
 * the polygon leaves a strip of it: grow the top's region over the segmented person from below the
 * armpits to the hem line, within a hand's breadth past the polygon, as far as it joins the region.
 * Above the armpits stays as drawn (long hair falls beside the neck and shoulders).
 */
function torsoExtent(region: Mask, g: BodyGeometry, kp: Keypoints, person: Mask): Mask {
  const sw = g.shoulderWidth;
  const armpits = scale(g.down, 0.2 * g.torsoLength);
  const hem = scale(g.down, 0.12 * g.torsoLength);
  const band = emptyMask(region.width, region.height);
  fillPolygon(band, [
    add(outward(g.leftShoulder, g.shoulderMid, 0.45 * sw), armpits),
    add(outward(g.rightShoulder, g.shoulderMid, 0.45 * sw), armpits),
    add(outward(g.rightHip, g.hipMid, 0.3 * g.hipWidth + 0.4 * sw), hem),
    add(outward(g.leftHip, g.hipMid, 0.3 * g.hipWidth + 0.4 * sw), hem),
  ]);
  cutForearms(band, g, kp);
  return growWithin(intersect(region, band), intersect(band, person));
}

function upperRegion(mask: Mask, g: BodyGeometry, kp: Keypoints): void {
  const sw = g.shoulderWidth;
  fillPolygon(mask, torsoPolygon(g));
  for (const side of ['left', 'right'] as const) {
    const shoulder = side === 'left' ? g.leftShoulder : g.rightShoulder;
    const elbow = kp[`${side}_elbow`];
    const wrist = kp[`${side}_wrist`];
    if (!elbow.visible) continue;
    fillCapsule(mask, shoulder, elbow, 0.2 * sw);
    if (wrist.visible) fillCapsule(mask, elbow, wrist, 0.15 * sw);
  }
}

function lowerRegion(mask: Mask, g: BodyGeometry, waistRaise: number): void {
  const hw = g.hipWidth;
  const up = scale(g.down, -1);
  const waistL = add(outward(g.leftHip, g.hipMid, 0.35 * hw), scale(up, waistRaise));
  const waistR = add(outward(g.rightHip, g.hipMid, 0.35 * hw), scale(up, waistRaise));
  const crotch = add(g.hipMid, scale(g.down, 0.35 * g.torsoLength));
  fillPolygon(mask, [waistL, waistR, outward(g.rightHip, g.hipMid, 0.35 * hw), crotch, outward(g.leftHip, g.hipMid, 0.35 * hw)]);
  fillPolygon(mask, [
    outward(g.leftHip, g.hipMid, 0.35 * hw),
    outward(g.rightHip, g.hipMid, 0.35 * hw),
    outward(g.rightKnee, mid(g.leftKnee, g.rightKnee), 0.2 * hw),
    outward(g.leftKnee, mid(g.leftKnee, g.rightKnee), 0.2 * hw),
  ]);
  fillCapsule(mask, g.leftHip, g.leftKnee, 0.45 * hw);
  fillCapsule(mask, g.rightHip, g.rightKnee, 0.45 * hw);
  fillCapsule(mask, g.leftKnee, g.leftAnkle, 0.3 * hw);
  fillCapsule(mask, g.rightKnee, g.rightAnkle, 0.3 * hw);
}

/**
 * The keypoint capsules miss wide hips, thighs and loose legs: grow the lower region over the segmented
 * person between the waist line and the ankles, as far as it is joined to the region, except the forearms
 * (an arm hanging beside the hip stays in front; hands are protected separately).
 */
function legExtent(region: Mask, g: BodyGeometry, kp: Keypoints, person: Mask, waistRaise: number): Mask {
  const hw = g.hipWidth;
  const kneeMid = mid(g.leftKnee, g.rightKnee);
  const ankleMid = mid(g.leftAnkle, g.rightAnkle);
  const up = scale(g.down, -1);
  const low = scale(g.down, 0.05 * g.torsoLength);
  const band = emptyMask(region.width, region.height);
  fillPolygon(band, [
    add(outward(g.leftHip, g.hipMid, hw), scale(up, waistRaise)),
    add(outward(g.rightHip, g.hipMid, hw), scale(up, waistRaise)),
    outward(g.rightKnee, kneeMid, 0.8 * hw),
    add(outward(g.rightAnkle, ankleMid, 0.6 * hw), low),
    add(outward(g.leftAnkle, ankleMid, 0.6 * hw), low),
    outward(g.leftKnee, kneeMid, 0.8 * hw),
  ]);
  cutForearms(band, g, kp);
  return growWithin(region, intersect(band, person));
}

/**
 * A dress's skirt also covers the background between the legs: from the hips down to its hem, where the
 * garment's own length puts it (`hem`, image-left then image-right), else to just below the knees.
 */
function skirtRegion(analysis: PersonAnalysis, g: BodyGeometry, hem?: readonly [Point, Point]): Mask {
  const mask = emptyMask(analysis.width, analysis.height);
  const kneeMid = mid(g.leftKnee, g.rightKnee);
  const below = scale(g.down, 0.25 * g.torsoLength);
  const [hemA, hemB] = hem ?? [add(outward(g.leftKnee, kneeMid, 0.45 * g.hipWidth), below), add(outward(g.rightKnee, kneeMid, 0.45 * g.hipWidth), below)];
  const [hipA, hipB] = hem && g.leftHip.x > g.rightHip.x ? [g.rightHip, g.leftHip] : hem ? [g.leftHip, g.rightHip] : [g.leftHip, g.rightHip];
  fillPolygon(mask, [outward(hipA, g.hipMid, 0.3 * g.hipWidth), outward(hipB, g.hipMid, 0.3 * g.hipWidth), hemB, hemA]);
  return mask;
}

/** Face and head, hands and feet: never repainted. */
function protectedRegion(analysis: PersonAnalysis, g: BodyGeometry, category: Category, person: Mask, dressHem?: readonly [Point, Point], photo?: RgbImage): Mask {
  const kp = analysis.keypoints;
  const mask = emptyMask(analysis.width, analysis.height);
  const sw = g.shoulderWidth;
  const face = (['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'] as const).filter((n) => kp[n].visible);
  if (face.length > 0) {
    const centre = face.reduce<Point>((acc, n) => add(acc, scale(kp[n], 1 / face.length)), { x: 0, y: 0 });
    fillEllipse(mask, centre, 0.32 * sw, 0.45 * sw);
  }
  // Head and hair: the person above the collar line (a line across the neck, above the shoulders).
  const up = scale(g.down, -1);
  const collar = add(g.shoulderMid, scale(up, (category === 'lower' ? 0.2 : 0.16) * g.torsoLength));
  const far = 4 * Math.max(analysis.width, analysis.height);
  const across = { x: -g.down.y, y: g.down.x };
  fillPolygon(mask, [
    add(collar, scale(across, far)),
    add(collar, scale(across, -far)),
    add(add(collar, scale(across, -far)), scale(up, far)),
    add(add(collar, scale(across, far)), scale(up, far)),
  ]);
  if (category === 'lower') {
    // Bottoms start at the waist: nothing of the torso above it.
    const waist = add(g.hipMid, scale(up, 0.22 * g.torsoLength));
    fillPolygon(mask, [
      add(waist, scale(across, far)),
      add(waist, scale(across, -far)),
      add(add(waist, scale(across, -far)), scale(up, far)),
      add(add(waist, scale(across, far)), scale(up, far)),
    ]);
  }
  for (const side of ['left', 'right'] as const) {
    const ankle = kp[`${side}_ankle`];
    // A dress whose hem falls below the ankles covers the feet (else they would show through as holes).
    const hemBelow = dressHem !== undefined && Math.min(dressHem[0].y, dressHem[1].y) > ankle.y;
    if (ankle.visible && !hemBelow) {
      const foot = add(ankle, scale(g.down, 0.12 * g.torsoLength));
      fillEllipse(mask, foot, 0.3 * g.hipWidth, 0.16 * g.torsoLength);
    }
  }
  return union(intersect(mask, dilate(person, 0.05 * sw)), handRegion(photo, kp, analysis.hands, g, person));
}

export interface AgnosticMask {
  /** Binary: 1 where the garment goes. */
  readonly mask: Mask;
  /** Binary: face, head, hands, feet — kept even if a caller's mask covers them. */
  readonly protected: Mask;
}

export interface MaskOptions {
  /** The garment's own long sleeves cover the forearms: they are not kept in front of it. */
  readonly longSleeves?: boolean;
}

/**
 * `dressHem`: where the dress's hem lands on this body (from the warp placement), for the skirt's length.
 * `photo`: the person's pixels, to find the hands by their skin colour (without it, a rounded area past each wrist).
 */
export function buildAgnosticMask(
  analysis: PersonAnalysis,
  category: Category,
  dressHem?: readonly [Point, Point],
  photo?: RgbImage,
  options: MaskOptions = {},
): AgnosticMask {
  const g = bodyGeometry(analysis.keypoints);
  const region = emptyMask(analysis.width, analysis.height);
  const person = binarize(analysis.personMask, 0.5);
  if (category !== 'lower') {
    upperRegion(region, g, analysis.keypoints);
    region.data.set(union(region, torsoExtent(region, g, analysis.keypoints, person)).data);
  }
  if (category !== 'upper') {
    const waistRaise = (category === 'dress' ? 0.3 : 0.2) * g.torsoLength;
    lowerRegion(region, g, waistRaise);
    region.data.set(union(region, legExtent(region, g, analysis.keypoints, person, waistRaise)).data);
  }
  // Dilated so the old garment's outline is hidden; clipped to a dilated person so the background stays.
  const near = dilate(person, 0.06 * g.shoulderWidth);
  const grown = dilate(intersect(region, near), 0.025 * g.shoulderWidth);
  let prot = protectedRegion(analysis, g, category, person, category === 'dress' ? dressHem : undefined, photo);
  const body = intersect(grown, near);
  const garmentArea = category === 'dress' ? union(body, skirtRegion(analysis, g, dressHem)) : body;
  if (category !== 'lower' && !options.longSleeves) {
    // Over the top's body (a dress's skirt too), not beside it: there the old sleeve is what is repainted.
    const torso = emptyMask(analysis.width, analysis.height);
    fillPolygon(torso, torsoPolygon(g));
    const worn = photo ? wornColour(photo, g, person) : undefined;
    const area = category === 'dress' ? union(torso, garmentArea) : torso;
    prot = union(prot, forearmsOverTorso(analysis.keypoints, g, person, area, photo, worn ? rgbColour(worn) : undefined));
  } else if (category !== 'lower') {
    prot = subtract(prot, sleevedForearms(analysis.keypoints, g, analysis.width, analysis.height));
  }
  return { mask: subtract(garmentArea, prot), protected: prot };
}
