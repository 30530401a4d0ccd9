// Forearms over the torso stay in front of a new top or dress. A drawn body checks the width measurement
// and the mask; a shared photo whose keypoints are moved so one forearm crosses the chest checks the whole
// warp pipeline (none of the shared photos has an arm across the body).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { runTryOn } from '../../src/tryon/index.js';
import { buildAgnosticMask } from '../../src/tryon/masks/agnostic-mask.js';
import { forearmWidth } from '../../src/tryon/masks/arms.js';
import { emptyMask, fillCapsule, fillEllipse, fillPolygon } from '../../src/tryon/masks/raster.js';
import { KEYPOINT_NAMES, type Keypoint, type KeypointName, type Keypoints, type PersonAnalysis, type Point } from '../../src/tryon/types.js';
import { garments, lerp, persons, raw } from './fixtures.js';
import { boxShare, labelsFor } from './labels.js';

const moved = vi.hoisted(() => ({ keypoints: undefined as undefined | ((kp: Keypoints) => Keypoints) }));
vi.mock('../../src/tryon/person-analysis/analyze.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/tryon/person-analysis/analyze.js')>();
  return {
    ...original,
    analyzePerson: async (...args: Parameters<typeof original.analyzePerson>) => {
      const analysis = await original.analyzePerson(...args);
      return moved.keypoints ? { ...analysis, keypoints: moved.keypoints(analysis.keypoints) } : analysis;
    },
  };
});

const point = (name: KeypointName, p: Point, visible = true): Keypoint => ({ name, x: p.x, y: p.y, score: visible ? 0.9 : 0.05, visible });
const inCapsule = (p: Point, a: Point, b: Point, r: number): boolean => {
  const d = { x: b.x - a.x, y: b.y - a.y };
  const t = Math.min(1, Math.max(0, ((p.x - a.x) * d.x + (p.y - a.y) * d.y) / (d.x * d.x + d.y * d.y)));
  return Math.hypot(p.x - a.x - t * d.x, p.y - a.y - t * d.y) <= r;
};

describe('a drawn body with its left forearm across the torso', () => {
  const [width, height] = [400, 600];
  // Shoulders 120 px apart; the upper arm hangs free beside the torso, the forearm (26 px wide) crosses it.
  const pts: Partial<Record<KeypointName, Point>> = {
    nose: { x: 200, y: 80 },
    left_eye: { x: 185, y: 70 },
    right_eye: { x: 215, y: 70 },
    left_shoulder: { x: 140, y: 150 },
    right_shoulder: { x: 260, y: 150 },
    left_elbow: { x: 95, y: 265 },
    right_elbow: { x: 290, y: 260 },
    left_wrist: { x: 235, y: 225 },
    right_wrist: { x: 295, y: 350 },
    left_hip: { x: 155, y: 340 },
    right_hip: { x: 245, y: 340 },
  };
  const kp = Object.fromEntries(KEYPOINT_NAMES.map((n) => [n, point(n, pts[n] ?? { x: 200, y: 599 }, pts[n] !== undefined)])) as Keypoints;
  const person = emptyMask(width, height);
  fillPolygon(person, [{ x: 128, y: 135 }, { x: 272, y: 135 }, { x: 268, y: 380 }, { x: 132, y: 380 }]);
  fillEllipse(person, { x: 200, y: 80 }, 35, 45);
  fillCapsule(person, { x: 200, y: 100 }, { x: 200, y: 140 }, 18);
  fillCapsule(person, pts.left_shoulder!, pts.left_elbow!, 16);
  fillCapsule(person, pts.left_elbow!, pts.left_wrist!, 13);
  fillCapsule(person, pts.right_shoulder!, pts.right_elbow!, 16);
  fillCapsule(person, pts.right_elbow!, pts.right_wrist!, 13);
  const analysis: PersonAnalysis = { width, height, keypoints: kp, personMask: person, box: { left: 0, top: 0, right: width, bottom: height } };
  const torso = (i: number): boolean => {
    const [x, y] = [i % width, Math.floor(i / width)];
    return x >= 134 && x <= 262 && y >= 170 && y <= 355;
  };
  const arm = (i: number, r: number): boolean => inCapsule({ x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 }, pts.left_elbow!, pts.left_wrist!, r);
  // The hand protection (no photo: the whole area a hand can take past the wrist) is not what is measured here.
  const hand = (i: number): boolean => Math.hypot((i % width) - pts.left_wrist!.x, Math.floor(i / width) - pts.left_wrist!.y) < 70;

  it('measures the forearm where it stands free of the body', () => {
    const measured = forearmWidth(person, pts.left_elbow!, pts.left_wrist!, 120);
    console.log(`forearm drawn 26 px wide, measured ${measured.toFixed(1)} px`);
    expect(measured).toBeGreaterThan(0.85 * 26);
    expect(measured).toBeLessThan(1.2 * 26);
  });

  for (const category of ['upper', 'dress'] as const) {
    it(`keeps the forearm out of the ${category} mask and covers the rest of the torso`, () => {
      const { mask, protected: prot } = buildAgnosticMask(analysis, category);
      const onArm = [...mask.data.keys()].filter((i) => torso(i) && arm(i, 12) && !hand(i));
      const rest = [...mask.data.keys()].filter((i) => torso(i) && !arm(i, 16) && !hand(i));
      const covered = rest.filter((i) => mask.data[i] > 0).length / rest.length;
      console.log(`${category}: ${onArm.filter((i) => mask.data[i] > 0).length} of ${onArm.length} forearm pixels masked; torso off the arm ${(100 * covered).toFixed(1)}% covered`);
      expect(onArm.length).toBeGreaterThan(800);
      expect(onArm.filter((i) => mask.data[i] > 0).length, 'forearm pixels in the mask').toBe(0);
      expect(onArm.every((i) => prot.data[i] === 1), 'forearm protected').toBe(true);
      expect(rest.filter((i) => mask.data[i] > 0).length / rest.length, 'torso off the arm covered').toBeGreaterThan(0.97);
    });
  }

  it('covers the forearm when the garment has long sleeves', () => {
    const { mask } = buildAgnosticMask(analysis, 'upper', undefined, undefined, { longSleeves: true });
    const onArm = [...mask.data.keys()].filter((i) => torso(i) && arm(i, 12) && !hand(i));
    expect(onArm.filter((i) => mask.data[i] > 0).length / onArm.length).toBeGreaterThan(0.97);
  });
});

describe('warp pipeline: a forearm moved across the chest of a shared photo', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  // The man's black tee: no skin there, so only the forearm keypoints can keep the arm in front.
  const person = persons().find((p) => p.file === 'p03_full_man_tee_jeans.jpg')!;
  for (const garmentFile of ['g01_upper_polo.jpg', 'g06_dress_tulle.jpg']) {
    it(`${person.file} + ${garmentFile}: the forearm's pixels are the photo's, the rest of the top region covered`, async () => {
      const garment = garments().find((g) => g.file === garmentFile)!;
      // The image-left arm bent up: elbow over the lower torso, wrist at the other side of the chest.
      moved.keypoints = (kp) => {
        const [sl, sr] = kp.left_shoulder.x <= kp.right_shoulder.x ? (['left', 'right'] as const) : (['right', 'left'] as const);
        const [hl, hr] = [kp[`${sl}_hip`], kp[`${sr}_hip`]];
        const elbow = lerp(lerp(kp[`${sl}_shoulder`], hl, 0.7), lerp(kp[`${sr}_shoulder`], hr, 0.7), 0.15);
        const wrist = lerp(lerp(kp[`${sl}_shoulder`], hl, 0.3), lerp(kp[`${sr}_shoulder`], hr, 0.3), 0.8);
        return { ...kp, [`${sl}_elbow`]: point(`${sl}_elbow`, elbow), [`${sl}_wrist`]: point(`${sl}_wrist`, wrist) };
      };
      try {
        const result = await runTryOn({ personImage: person.bytes, garmentImage: garment.bytes, category: garment.category });
        const kp = result.debug.analysis.keypoints;
        const sl = kp.left_shoulder.x <= kp.right_shoulder.x ? 'left' : 'right';
        const [elbow, wrist] = [kp[`${sl}_elbow`], kp[`${sl}_wrist`]];
        const sw = Math.hypot(kp.left_shoulder.x - kp.right_shoulder.x, kp.left_shoulder.y - kp.right_shoulder.y);
        const out = await raw(result.image);
        const original = await raw(person.bytes);
        const mask = await raw(result.mask, 1);
        const { width } = out;
        const at = (i: number): Point => ({ x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 });
        const seg = result.debug.analysis.personMask.data;
        // The arm merges with the body in the segmentation, so it has the default width (a fifth of the shoulders).
        const arm = [...mask.data.keys()].filter((i) => seg[i] > 0.5 && inCapsule(at(i), elbow, wrist, 0.09 * sw));
        const changed = arm.filter((i) => [0, 1, 2].some((c) => out.data[i * 3 + c] !== original.data[i * 3 + c]));
        expect(arm.length).toBeGreaterThan(2000);
        expect(changed.length, `changed forearm pixels of ${arm.length}`).toBe(0);
        // The labelled top region, less the arm and the hand past the wrist (half a forearm around it).
        const handReach = 0.6 * Math.hypot(wrist.x - elbow.x, wrist.y - elbow.y);
        const notArm = { ...mask, data: mask.data.map((v, i) => (inCapsule(at(i), elbow, wrist, 0.12 * sw) || Math.hypot(at(i).x - wrist.x, at(i).y - wrist.y) < handReach ? 0 : 1)) };
        const boxes = labelsFor(person.file).regions.upper;
        const covered = boxShare({ ...mask, data: mask.data.map((v, i) => (notArm.data[i] && v >= 128 ? 1 : 0)) }, boxes, (v) => v === 1);
        const counted = boxShare(notArm, boxes, (v) => v === 1);
        console.log(`${garmentFile}: forearm ${arm.length} px, ${changed.length} changed; top region off the arm covered ${((100 * covered) / counted).toFixed(1)}%`);
        expect(covered / counted, 'top region off the arm covered').toBeGreaterThanOrEqual(0.9);
      } finally {
        moved.keypoints = undefined;
      }
    });
  }
});
