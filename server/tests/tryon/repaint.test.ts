// The old garment is gone where the new one is narrower: on pairs where the photo's own garment is wider
// than the new one, the masked pixels that showed the old garment and that the warped garment leaves
// uncovered no longer have its colour, and nothing outside the mask changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { runTryOn } from '../../src/tryon/index.js';
import { garments, persons, raw } from './fixtures.js';
import { labelsFor } from './labels.js';

/** Median colour of the boxes: the old garment, since the labelled category region is where it is worn. */
function medianColour(img: { width: number; data: Buffer }, boxes: readonly (readonly number[])[]): number[] {
  const values: number[][] = [[], [], []];
  for (const [l, t, r, b] of boxes) {
    for (let y = t; y < b; y++) for (let x = l; x < r; x++) for (let c = 0; c < 3; c++) values[c].push(img.data[(y * img.width + x) * 3 + c]);
  }
  return values.map((v) => v.sort((a, b) => a - b)[v.length >> 1]);
}

describe('warp engine: the old garment is painted out', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  // A black tee under a polo, black trousers under slim jeans: both old garments reach past the new ones.
  const pairs = [
    ['p03_full_man_tee_jeans.jpg', 'g01_upper_polo.jpg', 'upper'],
    ['p01_half_woman_sleeveless.jpg', 'g04_lower_jeans.jpg', 'lower'],
  ] as const;
  for (const [personFile, garmentFile, category] of pairs) {
    it(`${personFile} + ${garmentFile}: no old garment colour left around the new one`, async () => {
      const person = persons().find((p) => p.file === personFile)!;
      const garment = garments().find((g) => g.file === garmentFile)!;
      const result = await runTryOn({ personImage: person.bytes, garmentImage: garment.bytes, category });
      const original = await raw(person.bytes);
      const out = await raw(result.image);
      const mask = await raw(result.mask, 1);
      const old = medianColour(original, labelsFor(personFile).regions[category]);
      const distance = (img: Buffer, i: number): number => Math.hypot(img[i * 3] - old[0], img[i * 3 + 1] - old[1], img[i * 3 + 2] - old[2]);

      let changedOutside = 0;
      const uncovered: number[] = [];
      for (let i = 0; i < mask.data.length; i++) {
        const same = out.data[i * 3] === original.data[i * 3] && out.data[i * 3 + 1] === original.data[i * 3 + 1] && out.data[i * 3 + 2] === original.data[i * 3 + 2];
        if (mask.data[i] === 0) changedOutside += same ? 0 : 1;
        // Fully masked, no garment drawn, and the old garment was there.
        else if (mask.data[i] === 255 && result.debug.coverage.data[i] === 0 && distance(original.data, i) < 40) uncovered.push(i);
      }
      expect(changedOutside).toBe(0);
      expect(uncovered.length, 'old-garment pixels the new garment leaves uncovered').toBeGreaterThan(300);
      const meanDistance = uncovered.reduce((s, i) => s + distance(out.data, i), 0) / uncovered.length;
      expect(meanDistance, `mean colour distance from the old garment (${old.join(',')})`).toBeGreaterThan(80);
    });
  }
});
