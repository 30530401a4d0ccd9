// The lower mask on full-body shots: the whole body from the waist line to the ankles (the segmented person,
// not just a band around the hip-knee-ankle keypoints) is covered, except the protected hands and feet and
// the forearms that hang beside the hips.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { decodeRgb } from '../../src/tryon/image-io.js';
import { buildAgnosticMask } from '../../src/tryon/masks/agnostic-mask.js';
import { bodyGeometry } from '../../src/tryon/masks/body-geometry.js';
import { emptyMask, fillCapsule } from '../../src/tryon/masks/raster.js';
import { analyzePerson } from '../../src/tryon/person-analysis/analyze.js';
import { persons } from './fixtures.js';

describe('lower mask on full-body photos', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  it('covers the segmented body from the waist to the ankles', async () => {
    let fullBody = 0;
    for (const person of persons()) {
      const photo = await decodeRgb(person.bytes, 'person');
      const analysis = await analyzePerson(photo, 'lower');
      const kp = analysis.keypoints;
      if (!(['left_knee', 'right_knee', 'left_ankle', 'right_ankle'] as const).every((n) => kp[n].visible)) continue;
      fullBody++;
      const { mask, protected: prot } = buildAgnosticMask(analysis, 'lower', undefined, photo);
      const g = bodyGeometry(kp);
      const arms = emptyMask(photo.width, photo.height);
      for (const side of ['left', 'right'] as const) fillCapsule(arms, kp[`${side}_elbow`], kp[`${side}_wrist`], 0.15 * g.shoulderWidth);
      const waistY = g.hipMid.y - 0.2 * g.torsoLength;
      const ankleY = Math.max(g.leftAnkle.y, g.rightAnkle.y);
      let body = 0;
      let covered = 0;
      for (let y = Math.ceil(waistY); y < Math.min(photo.height, ankleY); y++) {
        for (let x = 0; x < photo.width; x++) {
          const i = y * photo.width + x;
          if (analysis.personMask.data[i] < 0.5 || prot.data[i] > 0 || arms.data[i] > 0) continue;
          body++;
          covered += mask.data[i] > 0 ? 1 : 0;
        }
      }
      expect.soft(covered / body, `${person.file}: waist-to-ankle body covered`).toBeGreaterThanOrEqual(0.98);
    }
    expect(fullBody).toBeGreaterThanOrEqual(4);
  });
});
