// Long sleeves follow the whole arm: on a person with a bent arm (hand on the hip), a drawn long-sleeved
// top's sleeve runs down the upper arm and then along the forearm to the wrist, and nothing outside the
// mask changes; a sleeve that is not long stops at the elbow. The garment is drawn here (no shared garment
// has long sleeves): navy body, red sleeves hanging diagonally away from it, on a white backdrop, raw pixels.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { hasLongSleeves } from '../../src/tryon/engines/warp/sleeves.js';
import { decodeRgba } from '../../src/tryon/image-io.js';
import { prepareGarment } from '../../src/tryon/garment/prepare.js';
import { runTryOn } from '../../src/tryon/index.js';
import { emptyMask, fillPolygon } from '../../src/tryon/masks/raster.js';
import type { Point } from '../../src/tryon/types.js';
import { garments, persons, raw } from './fixtures.js';

const [W, H] = [1300, 720];
const RED = [200, 30, 30];
const NAVY = [30, 45, 120];

/** A flat-lay top: body 300 px wide and 480 long, sleeves `sleeve` long from the shoulder seams (a long sleeve: 440). */
async function drawnTop(sleeve: number): Promise<Buffer> {
  const body = emptyMask(W, H);
  fillPolygon(body, [{ x: 500, y: 80 }, { x: 610, y: 80 }, { x: 650, y: 125 }, { x: 690, y: 80 }, { x: 800, y: 80 }, { x: 800, y: 560 }, { x: 500, y: 560 }]);
  const sleeves = emptyMask(W, H);
  // Out and down at 68 degrees from vertical, 100 px tall at the seam and 55 px wide at the cuff: a lay that keeps the sleeves above the body's middle, where prepare.ts reads the hem width.
  const [dx, dy] = [Math.sin(0.38 * Math.PI) * sleeve, Math.cos(0.38 * Math.PI) * sleeve];
  fillPolygon(sleeves, [{ x: 500, y: 80 }, { x: 500 - dx, y: 80 + dy }, { x: 500 - dx + 20, y: 80 + dy + 50 }, { x: 500, y: 180 }]);
  fillPolygon(sleeves, [{ x: 800, y: 80 }, { x: 800 + dx, y: 80 + dy }, { x: 800 + dx - 20, y: 80 + dy + 50 }, { x: 800, y: 180 }]);
  const px = Buffer.alloc(W * H * 3, 255);
  for (let i = 0; i < W * H; i++) {
    const colour = sleeves.data[i] ? RED : body.data[i] ? NAVY : undefined;
    if (colour) px.set(colour, i * 3);
  }
  return sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

const inCapsule = (p: Point, a: Point, b: Point, r: number): boolean => {
  const d = { x: b.x - a.x, y: b.y - a.y };
  const t = Math.min(1, Math.max(0, ((p.x - a.x) * d.x + (p.y - a.y) * d.y) / (d.x * d.x + d.y * d.y)));
  return Math.hypot(p.x - a.x - t * d.x, p.y - a.y - t * d.y) <= r;
};

describe('warp engine: long sleeves bend at the elbow', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  it('tells long sleeves from short ones', async () => {
    const long = prepareGarment(await decodeRgba(await drawnTop(440), 'garment'), 'upper');
    const short = prepareGarment(await decodeRgba(await drawnTop(150), 'garment'), 'upper');
    expect(hasLongSleeves(long)).toBe(true);
    expect(hasLongSleeves(short)).toBe(false);
    for (const g of garments().filter((g) => g.category !== 'lower')) {
      expect(hasLongSleeves(prepareGarment(await decodeRgba(g.bytes, 'garment'), g.category as 'upper' | 'dress')), g.file).toBe(false);
    }
  });

  it('p02 (hand on the hip): the sleeve runs along the forearm to the wrist', async () => {
    const person = persons().find((p) => p.file === 'p02_half_woman_plus.jpg')!;
    const result = await runTryOn({ personImage: person.bytes, garmentImage: await drawnTop(440), category: 'upper' });
    const kp = result.debug.analysis.keypoints;
    const out = await raw(result.image);
    const original = await raw(person.bytes);
    const mask = await raw(result.mask, 1);
    const { width } = out;
    let changedOutside = 0;
    for (let i = 0; i < mask.data.length; i++) {
      if (mask.data[i] === 0 && [0, 1, 2].some((c) => out.data[i * 3 + c] !== original.data[i * 3 + c])) changedOutside++;
    }
    expect(changedOutside, 'pixels changed outside the mask').toBe(0);

    // The bent arm: the one whose forearm turns most against its upper arm.
    const sw = Math.hypot(kp.left_shoulder.x - kp.right_shoulder.x, kp.left_shoulder.y - kp.right_shoulder.y);
    const bend = (s: 'left' | 'right'): number => {
      const [a, b, c] = [kp[`${s}_shoulder`], kp[`${s}_elbow`], kp[`${s}_wrist`]];
      const u = Math.atan2(b.y - a.y, b.x - a.x);
      const v = Math.atan2(c.y - b.y, c.x - b.x);
      return Math.abs(Math.atan2(Math.sin(v - u), Math.cos(v - u)));
    };
    const side = bend('left') > bend('right') ? 'left' : 'right';
    const [shoulder, elbow, wrist] = [kp[`${side}_shoulder`], kp[`${side}_elbow`], kp[`${side}_wrist`]];
    expect(bend(side), 'the arm is bent by more than 60 degrees').toBeGreaterThan(Math.PI / 3);

    const at = (i: number): Point => ({ x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 });
    const red = (i: number): boolean => result.debug.coverage.data[i] > 0.5 && out.data[i * 3] > 2 * out.data[i * 3 + 1] && out.data[i * 3] > 2 * out.data[i * 3 + 2];
    // This arm's half of the photo: on the arm's side of the shoulders' midline.
    const mid = (kp.left_shoulder.x + kp.right_shoulder.x) / 2;
    const thisSide = (i: number): boolean => Math.sign(at(i).x - mid) === Math.sign(shoulder.x - mid);
    const sleeve = [...mask.data.keys()].filter((i) => thisSide(i) && red(i));
    const alongForearm = sleeve.filter((i) => inCapsule(at(i), elbow, wrist, 0.2 * sw));
    const onArm = sleeve.filter((i) => inCapsule(at(i), shoulder, elbow, 0.25 * sw) || inCapsule(at(i), elbow, wrist, 0.2 * sw));
    // The forearm's own pixels (short of the hand, which stays protected) that the sleeve covers.
    const forearm = [...mask.data.keys()].filter(
      (i) => result.debug.analysis.personMask.data[i] > 0.5 && inCapsule(at(i), elbow, wrist, 0.08 * sw) && Math.hypot(at(i).x - wrist.x, at(i).y - wrist.y) > 0.15 * sw,
    );
    const sleeveOnForearm = forearm.filter(red).length / forearm.length;
    console.log(
      `${side} arm bent ${((bend(side) * 180) / Math.PI).toFixed(0)}°: ${sleeve.length} sleeve px, ${((100 * onArm.length) / sleeve.length).toFixed(1)}% on the arm, ${((100 * alongForearm.length) / sleeve.length).toFixed(1)}% along the forearm; forearm ${forearm.length} px, ${(100 * sleeveOnForearm).toFixed(1)}% sleeve`,
    );
    expect(sleeve.length).toBeGreaterThan(3000);
    expect(onArm.length / sleeve.length, 'sleeve pixels on the upper arm or forearm').toBeGreaterThan(0.9);
    expect(alongForearm.length / sleeve.length, 'sleeve pixels along the forearm').toBeGreaterThan(0.45);
    expect(sleeveOnForearm, 'forearm covered by the sleeve').toBeGreaterThan(0.7);
  });

  it('p06 (arms hanging): a sleeve that is not long ends at the elbow, not along the forearm', async () => {
    // 300 px from the seam: longer than the upper arm once on the body, short of a long sleeve (about 390 here).
    const garment = await drawnTop(300);
    expect(hasLongSleeves(prepareGarment(await decodeRgba(garment, 'garment'), 'upper'))).toBe(false);
    const person = persons().find((p) => p.file === 'p06_full_woman_tank_jeans.jpg')!;
    const result = await runTryOn({ personImage: person.bytes, garmentImage: garment, category: 'upper' });
    const kp = result.debug.analysis.keypoints;
    const out = await raw(result.image);
    const { width } = out;
    const red = (i: number): boolean => result.debug.coverage.data[i] > 0.5 && out.data[i * 3] > 2 * out.data[i * 3 + 1] && out.data[i * 3] > 2 * out.data[i * 3 + 2];
    for (const side of ['left', 'right'] as const) {
      const [shoulder, elbow] = [kp[`${side}_shoulder`], kp[`${side}_elbow`]];
      const axis = { x: elbow.x - shoulder.x, y: elbow.y - shoulder.y };
      const reach = Math.hypot(axis.x, axis.y);
      // Sleeve pixels on this arm's side, past the elbow's line across the upper arm.
      const past = [...result.debug.coverage.data.keys()].filter((i) => {
        const [x, y] = [(i % width) + 0.5, Math.floor(i / width) + 0.5];
        const along = ((x - shoulder.x) * axis.x + (y - shoulder.y) * axis.y) / reach;
        return Math.sign(x - (kp.left_shoulder.x + kp.right_shoulder.x) / 2) === Math.sign(shoulder.x - (kp.left_shoulder.x + kp.right_shoulder.x) / 2) && along > reach + 1 && red(i);
      });
      const on = [...result.debug.coverage.data.keys()].filter((i) => red(i) && Math.sign((i % width) - (kp.left_shoulder.x + kp.right_shoulder.x) / 2) === Math.sign(shoulder.x - (kp.left_shoulder.x + kp.right_shoulder.x) / 2));
      console.log(`${side}: ${on.length} sleeve px, ${past.length} past the elbow`);
      expect(on.length, `${side} sleeve drawn`).toBeGreaterThan(500);
      expect(past.length, `${side} sleeve pixels past the elbow`).toBe(0);
    }
  });
});
