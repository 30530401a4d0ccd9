// What the warped garment is drawn over: the photo with the old garment painted out inside the mask, so
// none of it shows where the new garment is narrower or shorter. On the body it becomes the person's own
// skin colour (lit like the photo); off the body, background filled in by OpenCV's Telea inpainting. The
// person's own bare skin inside the mask is not old garment and stays as photographed (bare-skin.ts).
// Inpainting the body too would drag chin and hair down into an open neckline, so its result is only
// used off the body.
import { createRequire } from 'node:module';
import { bodyGeometry, sub } from '../../masks/body-geometry.js';
import { skinMap } from '../../masks/colour.js';
import type { Mask, PersonAnalysis, RgbImage } from '../../types.js';
import { wornColour, type Rgb } from '../../masks/colour.js';
import { bareSkin } from './bare-skin.js';
import { shadingMap } from './shading.js';

interface CvMat {
  readonly data: Uint8Array;
  delete(): void;
}
interface OpenCv {
  readonly Mat: new (rows: number, cols: number, type: number) => CvMat;
  readonly CV_8UC1: number;
  readonly CV_8UC3: number;
  readonly INPAINT_TELEA: number;
  inpaint(src: CvMat, mask: CvMat, dst: CvMat, radius: number, flags: number): void;
}

let openCv: Promise<{ readonly cv: OpenCv }> | undefined;

/** OpenCV.js (WebAssembly), compiled once per process. */
function loadOpenCv(): Promise<{ readonly cv: OpenCv }> {
  // The module is an Emscripten thenable: resolving a promise with it calls its then() forever, so it travels wrapped.
  openCv ??= new Promise((resolve) => {
    const module = createRequire(import.meta.url)('@techstark/opencv-js') as { then(ready: (cv: OpenCv) => void): unknown };
    module.then((cv) => resolve({ cv }));
  });
  return openCv;
}

/** Fewer skin pixels than this and the sampled colour is noise (a covered-up person): inpaint instead. */
const MIN_SKIN_SAMPLES = 200;

function median(values: Uint32Array, count: number): number {
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += values[v];
    if (seen * 2 >= count) return v;
  }
  return 255;
}

/**
 * The person's visible skin outside the mask: neck, arms, hands, legs first, since hair (blonde passes the
 * skin test) lies above the chin; the face too only when that is all there is.
 */
function skinColour(photo: RgbImage, analysis: PersonAnalysis, mask: Mask, skin: Mask): Rgb | undefined {
  const g = bodyGeometry(analysis.keypoints);
  const histograms = (belowChinOnly: boolean) => {
    const h = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
    let count = 0;
    for (let i = 0; i < skin.data.length; i++) {
      if (skin.data[i] === 0 || mask.data[i] > 0 || analysis.personMask.data[i] < 0.5) continue;
      const d = sub({ x: i % photo.width, y: Math.floor(i / photo.width) }, g.shoulderMid);
      if (belowChinOnly && d.x * g.down.x + d.y * g.down.y < -0.25 * g.torsoLength) continue;
      for (let c = 0; c < 3; c++) h[c][photo.data[i * 3 + c]]++;
      count++;
    }
    return { h, count };
  };
  let { h, count } = histograms(true);
  if (count < MIN_SKIN_SAMPLES) ({ h, count } = histograms(false));
  if (count < MIN_SKIN_SAMPLES) return undefined;
  return [median(h[0], count), median(h[1], count), median(h[2], count)];
}

/** Telea inpainting of `mask` over the crop x0..x1, y0..y1 (inclusive): the crop's RGB, row-major. */
async function inpaint(photo: RgbImage, mask: Mask, [x0, y0, x1, y1]: readonly number[], radius: number): Promise<Uint8Array> {
  const { cv } = await loadOpenCv();
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const src = new cv.Mat(h, w, cv.CV_8UC3);
  const hole = new cv.Mat(h, w, cv.CV_8UC1);
  const dst = new cv.Mat(h, w, cv.CV_8UC3);
  try {
    // Views on the WebAssembly heap: taken after every allocation, since growing the heap detaches them.
    const srcData = src.data;
    const holeData = hole.data;
    for (let y = 0; y < h; y++) {
      const row = (y + y0) * photo.width + x0;
      srcData.set(photo.data.subarray(row * 3, (row + w) * 3), y * w * 3);
      for (let x = 0; x < w; x++) holeData[y * w + x] = mask.data[row + x] > 0 ? 255 : 0;
    }
    cv.inpaint(src, hole, dst, radius, cv.INPAINT_TELEA);
    return Uint8Array.from(dst.data);
  } finally {
    src.delete();
    hole.delete();
    dst.delete();
  }
}

/** The photo with every masked pixel repainted (identical to the photo outside the mask). */
export async function paintOverOldGarment(photo: RgbImage, analysis: PersonAnalysis, mask: Mask): Promise<RgbImage> {
  const { width, height } = photo;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i] <= 0) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  if (x1 < 0) return photo;
  const sw = bodyGeometry(analysis.keypoints).shoulderWidth;
  const radius = Math.max(3, Math.round(0.03 * sw));
  const pad = 2 * radius;
  const box = [Math.max(0, x0 - pad), Math.max(0, y0 - pad), Math.min(width - 1, x1 + pad), Math.min(height - 1, y1 + pad)];
  const filled = await inpaint(photo, mask, box, radius);
  const skinGate = skinMap(photo);
  const skin = skinColour(photo, analysis, mask, skinGate);
  const keep = skin ? bareSkin(photo, analysis, mask, skinGate, skin, wornColour(photo, bodyGeometry(analysis.keypoints), analysis.personMask, mask)) : undefined;
  const shade = shadingMap(photo, mask, Math.max(2, 0.04 * sw));
  const out = new Uint8Array(photo.data);
  const cropWidth = box[2] - box[0] + 1;
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const i = y * width + x;
      if (mask.data[i] <= 0) continue;
      // The soft segmentation blends skin into background along the body's outline.
      const onBody = skin ? analysis.personMask.data[i] : 0;
      const k = ((y - box[1]) * cropWidth + (x - box[0])) * 3;
      const own = keep?.data[i] ?? 0;
      for (let c = 0; c < 3; c++) {
        const painted = Math.min(255, (skin?.[c] ?? 0) * shade[i]) * onBody + filled[k + c] * (1 - onBody);
        out[i * 3 + c] = Math.round(photo.data[i * 3 + c] * own + painted * (1 - own));
      }
    }
  }
  return { width, height, channels: 3, data: out };
}
