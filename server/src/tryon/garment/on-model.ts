// Product photos taken on a model: the backdrop-colour cut-out would keep the model's face, neck, arms,
// hands and legs, which the warp then pastes onto the shopper. When the person detector sees someone, the
// garment is the person segmentation minus skin and minus what lies outside the category's body band.
import * as tf from '@tensorflow/tfjs-core';
import type { Category, Keypoint, Keypoints, Mask, Point, RgbaImage, RgbImage } from '../types.js';
import { add, bodyGeometry, scale, sub, type BodyGeometry } from '../masks/body-geometry.js';
import { skinMap } from '../masks/colour.js';
import { binarize, dilate, emptyMask, erode, fillCapsule, fillEllipse, intersect, subtract, union } from '../masks/raster.js';
import { loadPersonModels } from '../person-analysis/models.js';
import { detectKeypoints } from '../person-analysis/movenet.js';
import { detectPeople } from '../person-analysis/people-count.js';
import { segmentPerson } from '../person-analysis/segmentation.js';
import { REQUIRED_KEYPOINTS } from '../person-analysis/validate.js';

/** Body band per category, in torso lengths along the body's "down" from the hip line (shoulders = -1). */
const BAND: Readonly<Record<Category, readonly [number, number]>> = {
  // A collar rises a little above the shoulder joints; a top's hem rarely falls far below the hips.
  upper: [-1.15, 0.15],
  // A waistband sits above the hip joints.
  lower: [-0.3, Infinity],
  dress: [-1.15, Infinity],
};

/**
 * Where a model's bare skin can be: neck, arms, hands and legs. Cream, beige or pink cloth passes the skin
 * colour test too, so skin elsewhere (on the torso) is taken for the garment.
 */
function bareZones(kp: Keypoints, g: BodyGeometry, width: number, height: number): { bare: Mask; hands: Mask } {
  const zones = emptyMask(width, height);
  const hands = emptyMask(width, height);
  const sw = g.shoulderWidth;
  fillCapsule(zones, g.shoulderMid, add(g.shoulderMid, scale(g.down, -0.5 * g.torsoLength)), 0.25 * sw);
  const limb = (a: Keypoint, b: Keypoint, radius: number): void => {
    if (a.visible && b.visible) fillCapsule(zones, a, b, radius);
  };
  for (const side of ['left', 'right'] as const) {
    limb(kp[`${side}_shoulder`], kp[`${side}_elbow`], 0.2 * sw);
    limb(kp[`${side}_elbow`], kp[`${side}_wrist`], 0.2 * sw);
    const wrist = kp[`${side}_wrist`];
    const elbow = kp[`${side}_elbow`];
    if (wrist.visible) fillEllipse(hands, wrist, 0.4 * sw, 0.4 * sw);
    // The fingers reach a hand's length past the wrist, along the forearm.
    if (wrist.visible && elbow.visible) fillCapsule(hands, wrist, add(wrist, scale(sub(wrist, elbow), 0.8)), 0.3 * sw);
    limb(kp[`${side}_hip`], kp[`${side}_knee`], 0.25 * sw);
    limb(kp[`${side}_knee`], kp[`${side}_ankle`], 0.25 * sw);
    if (kp[`${side}_ankle`].visible) fillEllipse(zones, kp[`${side}_ankle`], 0.3 * sw, 0.3 * sw);
  }
  return { bare: union(zones, hands), hands };
}

/** Transparent pixels read as white, as the backdrop path treats them. */
function flatten(img: RgbaImage): RgbImage {
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    const a = img.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(img.data[i * 4 + c] * a + 255 * (1 - a));
  }
  return { width: img.width, height: img.height, channels: 3, data };
}

/** 1 on the garment the model wears, or undefined when the photo shows no person (a flat lay). */
export async function modelGarmentMask(photo: RgbaImage, category: Category): Promise<Mask | undefined> {
  const rgb = flatten(photo);
  const models = await loadPersonModels();
  const image = tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
  let kp: Keypoints;
  let person: Mask;
  try {
    if ((await detectPeople(models.people, image)).length === 0) return undefined;
    kp = await detectKeypoints(models.keypoints, image);
    person = binarize(await segmentPerson(models.segmentation, image), 0.5);
  } finally {
    image.dispose();
  }
  const g = bodyGeometry(kp);
  const unitLength = Math.max(2, 0.03 * g.shoulderWidth);
  // Closed, then grown: shading and the skin's edge pixels fail the colour test but are still skin.
  const skin = dilate(erode(dilate(skinMap(rgb), unitLength), unitLength), unitLength);
  const { bare, hands } = bareZones(kp, g, rgb.width, rgb.height);
  let garment = subtract(person, intersect(skin, bare));
  // Fingers resting on the hem: a wider margin round the hands, so no fingertip is taken with the cloth.
  garment = subtract(garment, intersect(dilate(skin, 2 * unitLength), hands));
  // The head (hair over the shoulders included) is never garment.
  const head = emptyMask(rgb.width, rgb.height);
  for (const name of ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'] as const) {
    if (kp[name].visible) fillEllipse(head, kp[name], 0.35 * g.shoulderWidth, 0.45 * g.shoulderWidth);
  }
  garment = subtract(garment, head);
  if (REQUIRED_KEYPOINTS[category].every((name) => kp[name].visible)) {
    const [from, to] = BAND[category];
    const along = (p: Point): number => ((p.x - g.hipMid.x) * g.down.x + (p.y - g.hipMid.y) * g.down.y) / g.torsoLength;
    for (let y = 0; y < rgb.height; y++) {
      for (let x = 0; x < rgb.width; x++) {
        const t = along({ x: x + 0.5, y: y + 0.5 });
        if (t < from || t > to) garment.data[y * rgb.width + x] = 0;
      }
    }
  }
  return garment;
}
