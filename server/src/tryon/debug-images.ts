// Pictures for people debugging a try-on (CLI --debug-dir): keypoints on the photo, the mask over it.
import sharp from 'sharp';
import { encodePng } from './image-io.js';
import type { Keypoints, Mask, RgbImage } from './types.js';

const SKELETON: readonly [keyof Keypoints, keyof Keypoints][] = [
  ['left_shoulder', 'right_shoulder'],
  ['left_shoulder', 'left_elbow'],
  ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'],
  ['right_elbow', 'right_wrist'],
  ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'],
  ['left_hip', 'right_hip'],
  ['left_hip', 'left_knee'],
  ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'],
  ['right_knee', 'right_ankle'],
];

export async function drawKeypoints(photo: RgbImage, kp: Keypoints): Promise<Buffer> {
  const r = Math.max(3, Math.round(Math.min(photo.width, photo.height) / 120));
  const lines = SKELETON.filter(([a, b]) => kp[a].visible && kp[b].visible)
    .map(([a, b]) => `<line x1="${kp[a].x}" y1="${kp[a].y}" x2="${kp[b].x}" y2="${kp[b].y}" stroke="#00e0ff" stroke-width="${r / 2}"/>`)
    .join('');
  const dots = Object.values(kp)
    .map((k) => `<circle cx="${k.x}" cy="${k.y}" r="${r}" fill="${k.visible ? '#ff2060' : '#888888'}" fill-opacity="${k.visible ? 1 : 0.6}"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${photo.width}" height="${photo.height}">${lines}${dots}</svg>`;
  return sharp(await encodePng(photo))
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

/** The photo with the mask tinted red over it. */
export function overlayMask(photo: RgbImage, mask: Mask): Promise<Buffer> {
  const out = new Uint8Array(photo.data.length);
  for (let i = 0; i < mask.data.length; i++) {
    const a = mask.data[i] * 0.55;
    out[i * 3] = Math.round(photo.data[i * 3] * (1 - a) + 255 * a);
    out[i * 3 + 1] = Math.round(photo.data[i * 3 + 1] * (1 - a));
    out[i * 3 + 2] = Math.round(photo.data[i * 3 + 2] * (1 - a));
  }
  return encodePng({ width: photo.width, height: photo.height, channels: 3, data: out });
}
