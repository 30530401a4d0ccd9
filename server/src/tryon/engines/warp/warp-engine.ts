// The `warp` engine (no weights, the embedded default): the garment cut-out is bent onto the body by a
// thin-plate spline through its landmarks, kept inside the mask, and lit by the person's photo.
import type { PreparedGarment } from '../../garment/prepare.js';
import { bodyGeometry } from '../../masks/body-geometry.js';
import type { Mask, PersonAnalysis, RgbImage } from '../../types.js';
import { controlPoints } from './garment-placement.js';
import { shadingMap } from './shading.js';
import { placeSleeves } from './sleeves.js';
import { fitTps } from './tps.js';
import { waistPoints } from './waist.js';

export interface WarpResult {
  /** The photo with the garment drawn in (identical to the photo where the garment is not). */
  readonly image: RgbImage;
  /** Where the garment landed, 0..1, within the mask. */
  readonly coverage: Mask;
}

/** Bilinear, premultiplied; `keep` filters which garment pixels count (torso vs one sleeve). */
function sampleRgba(
  img: { width: number; height: number; data: Uint8Array },
  x: number,
  y: number,
  out: number[],
  keep?: (index: number) => boolean,
): void {
  out[0] = out[1] = out[2] = out[3] = 0;
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const wx = fx - x0;
  const wy = fy - y0;
  for (let dy = 0; dy <= 1; dy++) {
    for (let dx = 0; dx <= 1; dx++) {
      const sx = x0 + dx;
      const sy = y0 + dy;
      if (sx < 0 || sy < 0 || sx >= img.width || sy >= img.height) continue;
      if (keep && !keep(sy * img.width + sx)) continue;
      const w = (dx ? wx : 1 - wx) * (dy ? wy : 1 - wy);
      const i = (sy * img.width + sx) * 4;
      const a = (img.data[i + 3] / 255) * w;
      out[0] += img.data[i] * a;
      out[1] += img.data[i + 1] * a;
      out[2] += img.data[i + 2] * a;
      out[3] += a;
    }
  }
}

/** `under`: what the garment is drawn over (the photo with the old garment painted out); the photo still lights it. */
export function warpGarment(photo: RgbImage, analysis: PersonAnalysis, mask: Mask, garment: PreparedGarment, under: RgbImage = photo): WarpResult {
  const g = bodyGeometry(analysis.keypoints);
  const cp = controlPoints(garment, g);
  const waist = waistPoints(garment, cp, g, analysis.keypoints, analysis.personMask);
  // Inverse mapping: for each photo pixel, where in the garment canvas it comes from.
  const toGarment = fitTps([...cp.photo, ...waist.photo], [...cp.garment, ...waist.garment]);
  // Garment pixels per photo pixel at the shoulders: the torso's scale, which the sleeves share.
  const torsoScale = Math.hypot(cp.photo[1].x - cp.photo[0].x, cp.photo[1].y - cp.photo[0].y) / Math.max(1, Math.hypot(cp.garment[1].x - cp.garment[0].x, cp.garment[1].y - cp.garment[0].y));
  const sleeves = garment.category === 'lower' ? undefined : placeSleeves(garment, g, analysis.keypoints, torsoScale);
  const isTorso = sleeves ? (i: number): boolean => sleeves.labels[i] === 0 : undefined;
  const sleevePx = [0, 0, 0, 0];
  const shade = shadingMap(photo, mask, Math.max(2, 0.04 * g.shoulderWidth));
  const out = new Uint8Array(under.data);
  const coverage = new Float32Array(photo.width * photo.height);
  const px = [0, 0, 0, 0];
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const i = y * photo.width + x;
      if (mask.data[i] <= 0) continue;
      const src = toGarment.map(x + 0.5, y + 0.5);
      sampleRgba(garment.image, src.x, src.y, px, isTorso);
      // Sleeves lie over the torso where they overlap (an arm in front of the body).
      sleeves?.toGarment.forEach((map, side) => {
        if (!map) return;
        const s = map(x + 0.5, y + 0.5);
        sampleRgba(garment.image, s.x, s.y, sleevePx, (k) => sleeves.labels[k] === side + 1);
        const a = sleevePx[3];
        if (a <= 0) return;
        for (let c = 0; c < 4; c++) px[c] = px[c] * (1 - a) + sleevePx[c];
      });
      const a = px[3] * mask.data[i];
      if (a <= 0) continue;
      coverage[i] = a;
      for (let c = 0; c < 3; c++) {
        const colour = Math.min(255, (px[c] / px[3]) * shade[i]);
        out[i * 3 + c] = Math.round(under.data[i * 3 + c] * (1 - a) + colour * a);
      }
    }
  }
  return { image: { width: photo.width, height: photo.height, channels: 3, data: out }, coverage: { width: photo.width, height: photo.height, data: coverage } };
}
