// A top's sides follow the body's outline at the waist: on drawn bodies with a slim and a full waist, the
// warped garment's edges on the waist line sit at the outline plus the ease, where the four corners alone
// would draw a straight side from the shoulder to the hem.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { controlPoints } from '../../src/tryon/engines/warp/garment-placement.js';
import { waistPoints } from '../../src/tryon/engines/warp/waist.js';
import { warpGarment } from '../../src/tryon/engines/warp/warp-engine.js';
import { prepareGarment } from '../../src/tryon/garment/prepare.js';
import { decodeRgba } from '../../src/tryon/image-io.js';
import { bodyGeometry } from '../../src/tryon/masks/body-geometry.js';
import { emptyMask, fillPolygon } from '../../src/tryon/masks/raster.js';
import type { KeypointName, PersonAnalysis, Point } from '../../src/tryon/types.js';
import { drawnKeypoints } from './fixtures.js';

const [W, H] = [400, 640];

/** A sleeveless top, drawn flat: 260 px wide, 360 long, on white. */
async function drawnTop(): Promise<Buffer> {
  const px = Buffer.alloc(300 * 420 * 3, 255);
  for (let y = 30; y < 390; y++) for (let x = 20; x < 280; x++) px.set([30, 45, 120], (y * 300 + x) * 3);
  return sharp(px, { raw: { width: 300, height: 420, channels: 3 } }).png().toBuffer();
}

/** Upright body, shoulders at y 150 (x 140/260), hips at y 360 (x 160/240), arms held away; `waist`: half-width at the waist. */
function body(waist: number): PersonAnalysis {
  const pts: Partial<Record<KeypointName, Point>> = {
    nose: { x: 200, y: 80 },
    left_eye: { x: 190, y: 70 },
    right_eye: { x: 210, y: 70 },
    left_shoulder: { x: 140, y: 150 },
    right_shoulder: { x: 260, y: 150 },
    left_elbow: { x: 60, y: 250 },
    right_elbow: { x: 340, y: 250 },
    left_wrist: { x: 30, y: 340 },
    right_wrist: { x: 370, y: 340 },
    left_hip: { x: 160, y: 360 },
    right_hip: { x: 240, y: 360 },
  };
  const keypoints = drawnKeypoints(pts, { x: 200, y: 630 });
  const person = emptyMask(W, H);
  // Shoulders, the waist 0.62 of the way down to the hem line, hips; the rest of the legs below.
  fillPolygon(person, [
    { x: 125, y: 140 },
    { x: 275, y: 140 },
    { x: 200 + waist, y: 300 },
    { x: 250, y: 380 },
    { x: 250, y: 640 },
    { x: 150, y: 640 },
    { x: 150, y: 380 },
    { x: 200 - waist, y: 300 },
  ]);
  return { width: W, height: H, keypoints, personMask: person, box: { left: 0, top: 0, right: W, bottom: H } };
}

describe('warp engine: a top follows the waist', () => {
  for (const waist of [58, 92]) {
    it(`on a body ${waist * 2} px wide at the waist, the garment's sides are at the outline plus the ease`, async () => {
      const analysis = body(waist);
      const garment = prepareGarment(await decodeRgba(await drawnTop(), 'garment'), 'upper');
      const g = bodyGeometry(analysis.keypoints);
      const cp = controlPoints(garment, g);
      const pins = waistPoints(garment, cp, g, analysis.keypoints, analysis.personMask);
      expect(pins.photo).toHaveLength(2);
      // The garment is laid on the whole photo (no mask) so its own outline is measured.
      const full = { width: W, height: H, data: new Float32Array(W * H).fill(1) };
      const photo = { width: W, height: H, channels: 3 as const, data: new Uint8Array(W * H * 3).fill(128) };
      const { coverage } = warpGarment(photo, analysis, full, garment);
      // The waist line between the two pins (the body is upright: a row).
      const y = Math.round((pins.photo[0].y + pins.photo[1].y) / 2);
      const covered = [...Array(W).keys()].filter((x) => coverage.data[y * W + x] > 0.5);
      const [left, right] = [covered[0], covered[covered.length - 1] + 1];
      // Where the body's outline is on that row, and where the straight sides would be.
      const outline = [...Array(W).keys()].filter((x) => analysis.personMask.data[y * W + x] > 0);
      const ease = 0.04 * g.shoulderWidth;
      const straightLeft = cp.photo[0].x + ((cp.photo[2].x - cp.photo[0].x) * (y - cp.photo[0].y)) / (cp.photo[2].y - cp.photo[0].y);
      console.log(`waist ${2 * waist} px: garment ${left}..${right}, outline ${outline[0]}..${outline[outline.length - 1] + 1}, straight side at ${straightLeft.toFixed(0)}`);
      expect(Math.abs(left - (outline[0] - ease)), 'left side').toBeLessThanOrEqual(4);
      expect(Math.abs(right - (outline[outline.length - 1] + 1 + ease)), 'right side').toBeLessThanOrEqual(4);
      expect(Math.abs(straightLeft - (outline[0] - ease)), 'the corners alone would miss it').toBeGreaterThan(12);
    });
  }
});
