// Bare skin inside the mask is not old garment: on a drawn person in a blue tank with bare, textured arms,
// both inside the mask, painting out the old garment repaints every tank pixel and leaves the arms'
// pixels as photographed (their texture, not one flat colour). A tank of the skin's own hue cannot be told
// from the arms by colour: then nothing is kept.
import { describe, expect, it } from 'vitest';
import { paintOverOldGarment } from '../../src/tryon/engines/warp/repaint.js';
import { emptyMask, erode, fillCapsule, fillEllipse, fillPolygon, union } from '../../src/tryon/masks/raster.js';
import type { KeypointName, Mask, PersonAnalysis, Point, RgbImage } from '../../src/tryon/types.js';
import { drawnKeypoints } from './fixtures.js';

const [W, H] = [400, 640];
const SKIN = [205, 150, 125] as const;

const pts: Partial<Record<KeypointName, Point>> = {
  nose: { x: 200, y: 80 },
  left_eye: { x: 190, y: 70 },
  right_eye: { x: 210, y: 70 },
  left_shoulder: { x: 140, y: 150 },
  right_shoulder: { x: 260, y: 150 },
  left_elbow: { x: 100, y: 260 },
  right_elbow: { x: 300, y: 260 },
  left_wrist: { x: 80, y: 360 },
  right_wrist: { x: 320, y: 360 },
  left_hip: { x: 160, y: 360 },
  right_hip: { x: 240, y: 360 },
};
const keypoints = drawnKeypoints(pts, { x: 200, y: 630 });

const torso = emptyMask(W, H);
fillPolygon(torso, [{ x: 135, y: 140 }, { x: 265, y: 140 }, { x: 250, y: 400 }, { x: 150, y: 400 }]);
const arms = emptyMask(W, H);
fillCapsule(arms, { x: 120, y: 160 }, pts.left_elbow!, 16);
fillCapsule(arms, pts.left_elbow!, pts.left_wrist!, 13);
fillCapsule(arms, { x: 280, y: 160 }, pts.right_elbow!, 16);
fillCapsule(arms, pts.right_elbow!, pts.right_wrist!, 13);
const head = emptyMask(W, H);
fillEllipse(head, { x: 200, y: 75 }, 38, 50);
fillPolygon(head, [{ x: 180, y: 100 }, { x: 220, y: 100 }, { x: 220, y: 145 }, { x: 180, y: 145 }]);
const person = union(union(torso, arms), head);

/** Skin with a visible texture (a smooth ripple, well under the skin map's busy-edge limit); the tank in `tank`. */
function photo(tank: readonly number[]): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const [x, y] = [i % W, Math.floor(i / W)];
    const ripple = 10 * Math.sin(x / 3) * Math.cos(y / 4);
    const colour = torso.data[i] > 0 ? tank : person.data[i] > 0 ? SKIN.map((c) => c + ripple) : [200, 200, 200];
    data.set(colour.map((c) => Math.round(c)), i * 3);
  }
  return { width: W, height: H, channels: 3, data };
}

const analysis: PersonAnalysis = { width: W, height: H, keypoints, personMask: person, box: { left: 0, top: 0, right: W, bottom: H } };

/** The tank and the upper arms, as a top's mask takes them (forearms below the elbow stay outside). */
function topMask(): Mask {
  const mask = emptyMask(W, H);
  fillPolygon(mask, [{ x: 100, y: 130 }, { x: 300, y: 130 }, { x: 310, y: 250 }, { x: 250, y: 410 }, { x: 150, y: 410 }, { x: 90, y: 250 }]);
  const within = emptyMask(W, H);
  for (let i = 0; i < mask.data.length; i++) within.data[i] = mask.data[i] > 0 && person.data[i] > 0 && head.data[i] === 0 ? 1 : 0;
  return within;
}

const same = (a: RgbImage, b: RgbImage, i: number): boolean => a.data[i * 3] === b.data[i * 3] && a.data[i * 3 + 1] === b.data[i * 3 + 1] && a.data[i * 3 + 2] === b.data[i * 3 + 2];

describe('warp engine: bare skin inside the mask', () => {
  const mask = topMask();
  // Pixels well inside each part (3 px from any edge): what the test judges.
  const armCore = erode({ width: W, height: H, data: mask.data.map((v, i) => (v > 0 && arms.data[i] > 0 && torso.data[i] === 0 ? 1 : 0)) }, 3);
  const tankCore = erode({ width: W, height: H, data: mask.data.map((v, i) => (v > 0 && torso.data[i] > 0 ? 1 : 0)) }, 3);
  const count = (m: Mask, pred: (i: number) => boolean) => {
    let n = 0;
    let all = 0;
    for (let i = 0; i < m.data.length; i++) {
      if (m.data[i] === 0) continue;
      all++;
      if (pred(i)) n++;
    }
    return { n, all };
  };

  it('keeps the arms as photographed and repaints every pixel of a blue tank', async () => {
    const before = photo([30, 45, 120]);
    const after = await paintOverOldGarment(before, analysis, mask);
    const arm = count(armCore, (i) => same(before, after, i));
    const tank = count(tankCore, (i) => Math.hypot(after.data[i * 3] - 30, after.data[i * 3 + 1] - 45, after.data[i * 3 + 2] - 120) < 80);
    console.log(`arms kept ${arm.n}/${arm.all}; tank pixels still tank-coloured ${tank.n}/${tank.all}`);
    expect(arm.all).toBeGreaterThan(1500);
    expect(arm.n / arm.all).toBeGreaterThan(0.95);
    expect(tank.all).toBeGreaterThan(20000);
    expect(tank.n).toBe(0);
    // Nothing outside the mask changes.
    expect(count({ width: W, height: H, data: mask.data.map((v) => (v > 0 ? 0 : 1)) }, (i) => !same(before, after, i)).n).toBe(0);
  });

  it('keeps nothing when the tank has the skin own hue (a skin-toned garment)', async () => {
    const before = photo([226, 166, 138]);
    const after = await paintOverOldGarment(before, analysis, mask);
    const arm = count(armCore, (i) => same(before, after, i));
    console.log(`skin-toned tank: arms kept ${arm.n}/${arm.all}`);
    expect(arm.n / arm.all).toBeLessThan(0.05);
  });
});
