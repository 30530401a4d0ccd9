// Every person photo x every garment through runTryOn with the warp engine: size kept, pixels outside
// the mask exact, and the mask where the category says (torso for tops, hips-to-knees for bottoms).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { runTryOn } from '../../src/tryon/index.js';
import { garments, lerp, persons, pixelsInPolygon, raw } from './fixtures.js';
import { boxShare, labelsFor } from './labels.js';

const share = (mask: Buffer, idx: number[], pred: (v: number) => boolean): number => idx.filter((i) => pred(mask[i])).length / idx.length;

describe('runTryOn (warp engine) on every fixture pair', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  const people = persons();
  const clothes = garments();
  it('has fixtures to run', () => {
    expect(people.length).toBeGreaterThanOrEqual(6);
    expect(clothes.length).toBeGreaterThanOrEqual(7);
  });

  for (const garment of clothes) {
    it(`dresses every person in ${garment.file} (${garment.category})`, async () => {
      for (const person of people) {
        const result = await runTryOn({
          personImage: person.bytes,
          garmentImage: garment.bytes,
          category: garment.category,
          description: garment.description,
        });
        const label = `${person.file} + ${garment.file}`;
        const out = await raw(result.image);
        const original = await raw(person.bytes);
        const mask = await raw(result.mask, 1);
        expect([out.width, out.height], label).toEqual([person.width, person.height]);
        expect([mask.width, mask.height], label).toEqual([person.width, person.height]);

        // Outside the mask every pixel is the original's, exactly; inside, the garment changed something.
        let changedOutside = 0;
        let changedInside = 0;
        let masked = 0;
        for (let i = 0; i < mask.data.length; i++) {
          const same = out.data[i * 3] === original.data[i * 3] && out.data[i * 3 + 1] === original.data[i * 3 + 1] && out.data[i * 3 + 2] === original.data[i * 3 + 2];
          if (mask.data[i] === 0) changedOutside += same ? 0 : 1;
          else {
            masked++;
            changedInside += same ? 0 : 1;
          }
        }
        expect(changedOutside, label).toBe(0);
        expect(masked / mask.data.length, label).toBeGreaterThan(0.03);
        expect(changedInside / masked, label).toBeGreaterThan(0.3);

        // The hand-made labels: face and hands left alone, the category's region covered.
        const labels = labelsFor(person.file);
        const category = garment.category as 'upper' | 'lower' | 'dress';
        expect.soft(boxShare(mask, [labels.face], (v) => v > 0), `${label}: face masked`).toBeLessThanOrEqual(0.05);
        labels.hands.forEach((hand, n) => {
          expect.soft(boxShare(mask, [hand], (v) => v > 0), `${label}: hand ${n} masked`).toBeLessThanOrEqual(0.05);
        });
        expect.soft(boxShare(mask, labels.regions[category], (v) => v >= 128), `${label}: ${category} region covered`).toBeGreaterThanOrEqual(0.9);
        if (category !== 'lower') {
          labels.sides?.forEach((side, n) => {
            expect.soft(boxShare(mask, [side], (v) => v >= 128), `${label}: the worn top's side ${n} (beside the arm) covered`).toBeGreaterThanOrEqual(0.9);
          });
        }

        const kp = result.debug.analysis.keypoints;
        const { width, height } = out;
        // Coverage is judged on the body: background (between the legs) and hands are meant to stay.
        const sw = Math.hypot(kp.left_shoulder.x - kp.right_shoulder.x, kp.left_shoulder.y - kp.right_shoulder.y);
        const hands = (['left_wrist', 'right_wrist'] as const).filter((n) => kp[n].visible).map((n) => kp[n]);
        const onBody = (i: number): boolean =>
          result.debug.analysis.personMask.data[i] > 0.5 &&
          hands.every((h) => Math.hypot((i % width) - h.x, Math.floor(i / width) - h.y) > 0.55 * sw);
        if (garment.category === 'upper') {
          const torso = pixelsInPolygon([kp.left_shoulder, kp.right_shoulder, kp.right_hip, kp.left_hip], 0.1, width, height).filter(onBody);
          // Bare forearms lying along or across the torso now stay in front of the garment, hence not 0.97.
          expect(share(mask.data, torso, (v) => v === 255), `${label}: torso covered`).toBeGreaterThan(0.9);
          const faceParts = (['nose', 'left_eye', 'right_eye'] as const).filter((n) => kp[n].visible);
          for (const n of faceParts) {
            const i = Math.round(kp[n].y) * width + Math.round(kp[n].x);
            expect(mask.data[i], `${label}: ${n} not masked`).toBe(0);
          }
          // The head: the band between the eyes and the shoulder-line midpoint's neck, above the collar.
          if (faceParts.length > 0) {
            const cx = faceParts.reduce((s, n) => s + kp[n].x, 0) / faceParts.length;
            const cy = faceParts.reduce((s, n) => s + kp[n].y, 0) / faceParts.length;
            const face = pixelsInPolygon(
              [{ x: cx - 0.15 * sw, y: cy - 0.15 * sw }, { x: cx + 0.15 * sw, y: cy - 0.15 * sw }, { x: cx + 0.15 * sw, y: cy + 0.2 * sw }, { x: cx - 0.15 * sw, y: cy + 0.2 * sw }],
              0,
              width,
              height,
            );
            expect(share(mask.data, face, (v) => v > 0), `${label}: face untouched`).toBe(0);
          }
        }
        if (garment.category === 'lower') {
          if (kp.left_knee.visible && kp.right_knee.visible) {
            const legs = pixelsInPolygon([kp.left_hip, kp.right_hip, kp.right_knee, kp.left_knee], 0.1, width, height).filter(onBody);
            expect(share(mask.data, legs, (v) => v === 255), `${label}: hips to knees covered`).toBeGreaterThan(0.97);
          }
          const upperTorso = pixelsInPolygon(
            [kp.left_shoulder, kp.right_shoulder, lerp(kp.right_shoulder, kp.right_hip, 0.5), lerp(kp.left_shoulder, kp.left_hip, 0.5)],
            0,
            width,
            height,
          );
          expect(share(mask.data, upperTorso, (v) => v > 0), `${label}: torso above the waist untouched`).toBe(0);
        }
      }
    });
  }
});
