// BlazePose's hand points (issue 18) on the shared person photos, against the hand-made hand boxes: the
// index, pinky and thumb points land on the labelled hand, and they alone (MoveNet's wrists hidden) keep
// every hand out of the mask of every category.
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { decodeRgb } from '../../src/tryon/image-io.js';
import { buildAgnosticMask } from '../../src/tryon/masks/agnostic-mask.js';
import { bodyGeometry } from '../../src/tryon/masks/body-geometry.js';
import { handRegion } from '../../src/tryon/masks/hands.js';
import { binarize } from '../../src/tryon/masks/raster.js';
import { analyzePerson } from '../../src/tryon/person-analysis/analyze.js';
import { detectHandKeypoints } from '../../src/tryon/person-analysis/hand-keypoints.js';
import { loadPersonModels } from '../../src/tryon/person-analysis/models.js';
import { roiFromKeypoints } from '../../src/tryon/person-analysis/pose-roi.js';
import type { HandKeypoints, Keypoints, Mask, PersonAnalysis, RgbImage } from '../../src/tryon/types.js';
import { persons } from './fixtures.js';
import { boxShare, labelsFor } from './labels.js';

type Box = readonly [number, number, number, number];
/** A finger point may sit this far outside its box, as a share of the box's longer side (a bent hand). */
const MARGIN = 0.25;

const FINGERS = ['index', 'pinky', 'thumb'] as const;
const toBytes = (m: Mask): { width: number; height: number; data: Uint8Array } => ({ width: m.width, height: m.height, data: Uint8Array.from(m.data, (v) => (v > 0 ? 255 : 0)) });
const outside = (box: Box, p: { x: number; y: number }): number => Math.hypot(Math.max(box[0] - p.x, 0, p.x - box[2]), Math.max(box[1] - p.y, 0, p.y - box[3]));

/** The same keypoints with MoveNet's wrists hidden, so only BlazePose's points can find the hands. */
function withoutWrists(kp: Keypoints): Keypoints {
  return { ...kp, left_wrist: { ...kp.left_wrist, visible: false }, right_wrist: { ...kp.right_wrist, visible: false } };
}

describe('hand keypoints from BlazePose', () => {
  const shots: { file: string; photo: RgbImage; analysis: PersonAnalysis }[] = [];

  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
    for (const person of persons()) {
      const photo = await decodeRgb(person.bytes, 'person');
      shots.push({ file: person.file, photo, analysis: await analyzePerson(photo, 'upper') });
    }
  });

  it('puts the index, pinky and thumb of every labelled hand on it (within a quarter of its length)', () => {
    expect(shots.length).toBeGreaterThanOrEqual(6);
    for (const { file, analysis } of shots) {
      const hands = analysis.hands;
      expect(hands, `${file}: BlazePose found no pose`).toBeDefined();
      if (!hands) continue;
      const sides = labelsFor(file).hands.map((box) => {
        const centre = { x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2 };
        // The side whose finger points are nearest the box: the test then checks they are all in it.
        const near = (s: 'left' | 'right'): number => Math.min(...FINGERS.map((n) => Math.hypot(hands[s][n].x - centre.x, hands[s][n].y - centre.y)));
        const side = near('left') <= near('right') ? 'left' : 'right';
        for (const n of FINGERS) {
          const p = hands[side][n];
          expect(p.visible, `${file}: ${side} ${n} visible (score ${p.score.toFixed(2)})`).toBe(true);
          const long = Math.max(box[2] - box[0], box[3] - box[1]);
          expect(outside(box, p) / long, `${file}: ${side} ${n} at (${p.x.toFixed(0)}, ${p.y.toFixed(0)}) vs box ${box.join(',')}`).toBeLessThanOrEqual(MARGIN);
        }
        return side;
      });
      // Two labelled hands are the two sides, not one hand claimed twice.
      expect(new Set(sides).size, `${file}: sides ${sides.join(',')}`).toBe(sides.length);
    }
  });

  it("keeps every labelled hand from BlazePose's points alone, with or without the photo's colours", () => {
    for (const { file, photo, analysis } of shots) {
      const kp = withoutWrists(analysis.keypoints);
      const g = bodyGeometry(analysis.keypoints);
      const person = binarize(analysis.personMask, 0.5);
      const boxes = labelsFor(file).hands;
      for (const [what, image] of [['colour', photo], ['no colour', undefined]] as const) {
        const region = toBytes(handRegion(image, kp, analysis.hands, g, person));
        boxes.forEach((box, n) => expect(boxShare(region, [box], (v) => v > 0), `${file}: hand ${n} kept (${what})`).toBeGreaterThanOrEqual(0.9));
      }
      // Without BlazePose and without MoveNet's wrists there is nothing to find the hands by: the points did it.
      const bare = toBytes(handRegion(photo, kp, undefined, g, person));
      expect(boxShare(bare, boxes, (v) => v > 0), `${file}: nothing without points`).toBe(0);
    }
  });

  it("never masks a labelled hand found by BlazePose's points alone, whatever the category", () => {
    for (const { file, photo, analysis } of shots) {
      const blind = { ...analysis, keypoints: withoutWrists(analysis.keypoints) };
      for (const category of ['upper', 'lower', 'dress'] as const) {
        const { mask } = buildAgnosticMask(blind, category, undefined, photo);
        labelsFor(file).hands.forEach((box, n) => {
          expect(boxShare(toBytes(mask), [box], (v) => v > 0), `${file} ${category}: hand ${n} masked`).toBeLessThanOrEqual(0.05);
        });
      }
    }
  });

  it("falls back to the wrist search alone when BlazePose's wrist is not MoveNet's", () => {
    const { photo, analysis } = shots[0];
    const g = bodyGeometry(analysis.keypoints);
    const person = binarize(analysis.personMask, 0.5);
    const hands = analysis.hands;
    expect(hands).toBeDefined();
    if (!hands) return;
    // Every point a shoulder width away: another arm, to be ignored rather than protected.
    const shift = (side: HandKeypoints['left']): HandKeypoints['left'] => ({
      wrist: { ...side.wrist, x: side.wrist.x + g.shoulderWidth },
      index: { ...side.index, x: side.index.x + g.shoulderWidth },
      pinky: { ...side.pinky, x: side.pinky.x + g.shoulderWidth },
      thumb: { ...side.thumb, x: side.thumb.x + g.shoulderWidth },
    });
    const moved = { left: shift(hands.left), right: shift(hands.right) };
    const fallback = handRegion(photo, analysis.keypoints, undefined, g, person);
    expect(Buffer.from(handRegion(photo, analysis.keypoints, moved, g, person).data.buffer).equals(Buffer.from(fallback.data.buffer))).toBe(true);
  });

  it('finds the hands of a person turned 25 degrees, through a crop turned with the body', async () => {
    // Full-body photos, turned clockwise on a white canvas; the labelled boxes turned with them.
    const angle = (25 * Math.PI) / 180;
    for (const file of ['p03_full_man_tee_jeans.jpg', 'p06_full_woman_tank_jeans.jpg']) {
      const person = persons().find((p) => p.file === file)!;
      const turned = await sharp(person.bytes).rotate().rotate(25, { background: '#ffffff' }).png().toBuffer();
      const photo = await decodeRgb(turned, 'person');
      const turn = (x: number, y: number) => {
        const [dx, dy] = [x - person.width / 2, y - person.height / 2];
        return { x: dx * Math.cos(angle) - dy * Math.sin(angle) + photo.width / 2, y: dx * Math.sin(angle) + dy * Math.cos(angle) + photo.height / 2 };
      };
      const analysis = await analyzePerson(photo, 'upper');
      const roi = roiFromKeypoints(analysis.keypoints);
      expect(roi, `${file}: a crop from the keypoints`).toBeDefined();
      expect(Math.abs(roi!.angle - angle), `${file}: crop angle ${((roi!.angle * 180) / Math.PI).toFixed(1)} degrees`).toBeLessThan((10 * Math.PI) / 180);
      const hands = analysis.hands;
      expect(hands, `${file}: BlazePose found no pose`).toBeDefined();
      if (!hands) continue;
      for (const box of labelsFor(file).hands) {
        const corners = [turn(box[0], box[1]), turn(box[2], box[1]), turn(box[2], box[3]), turn(box[0], box[3])];
        const turnedBox: Box = [Math.min(...corners.map((c) => c.x)), Math.min(...corners.map((c) => c.y)), Math.max(...corners.map((c) => c.x)), Math.max(...corners.map((c) => c.y))];
        const centre = turn((box[0] + box[2]) / 2, (box[1] + box[3]) / 2);
        const near = (side: 'left' | 'right'): number => Math.min(...FINGERS.map((n) => Math.hypot(hands[side][n].x - centre.x, hands[side][n].y - centre.y)));
        const side = near('left') <= near('right') ? 'left' : 'right';
        const long = Math.max(box[2] - box[0], box[3] - box[1]);
        for (const n of FINGERS) {
          const p = hands[side][n];
          expect(p.visible, `${file} turned: ${side} ${n} visible`).toBe(true);
          expect(outside(turnedBox, p) / long, `${file} turned: ${side} ${n} at (${p.x.toFixed(0)}, ${p.y.toFixed(0)}) vs ${turnedBox.map((v) => v.toFixed(0)).join(',')}`).toBeLessThanOrEqual(MARGIN);
        }
      }
    }
  });

  it('leaks no tensors', async () => {
    const { photo, analysis } = shots[0];
    const models = await loadPersonModels();
    const image = tf.tensor3d(photo.data, [photo.height, photo.width, 3], 'int32');
    const before = tf.memory().numTensors;
    await detectHandKeypoints(models.pose, image, analysis.keypoints);
    await detectHandKeypoints(models.pose, image, analysis.keypoints);
    expect(tf.memory().numTensors).toBe(before);
    image.dispose();
  });
});
