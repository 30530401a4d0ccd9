// Colours as the skin searches compare them: the skin-tone gate (YCbCr) and the smooth-skin map, colours as
// chromaticity (r and g of r+g+b) plus brightness, so shading changes brightness, not hue, and the colour
// of what the person wears where a garment surely is, which tells a skin-toned garment (a beige or pink
// top) from the skin beside it.
import type { Mask, RgbImage } from '../types.js';
import { add, mid, scale, type BodyGeometry } from './body-geometry.js';
import { dilate, emptyMask, erode, feather, fillEllipse, intersect } from './raster.js';

export type Rgb = readonly [number, number, number];

/** Mean luminance step to the next pixel (0..255 scale) above which a patch is a print, not skin. */
const SMOOTHNESS = 24;

export interface Colour {
  /** r / (r + g + b) */
  readonly r: number;
  /** g / (r + g + b) */
  readonly g: number;
  /** r + g + b */
  readonly brightness: number;
}

export function rgbColour([r, g, b]: Rgb): Colour {
  const sum = r + g + b + 1;
  return { r: r / sum, g: g / sum, brightness: sum };
}

export const colourAt = (photo: RgbImage, i: number): Colour => rgbColour([photo.data[i * 3], photo.data[i * 3 + 1], photo.data[i * 3 + 2]]);

export const hueDistance = (a: Colour, b: Colour): number => Math.hypot(a.r - b.r, a.g - b.g);

/** Hue distance (chromaticity) past which a body part's colour is not the worn garment's. */
const DISTINCT_HUE = 0.015;

/**
 * `area` (a hand's outline, a band along a forearm) minus its pixels nearer the `worn` garment's hue than
 * the part's `own`: the outline is drawn from keypoints and takes cloth beside or behind the part. Closed,
 * so creases, nails and highlights that read as the garment's hue stay in. Whole when the part's colour is
 * the garment's (a glove or a sleeve in the same cloth): then colour cannot tell them apart.
 */
export function withoutWornPixels(photo: RgbImage, area: Mask, own: Colour, worn: Colour): Mask {
  if (hueDistance(own, worn) < DISTINCT_HUE) return area;
  const out = emptyMask(area.width, area.height);
  for (let i = 0; i < area.data.length; i++) {
    if (area.data[i] === 0) continue;
    const colour = colourAt(photo, i);
    out.data[i] = hueDistance(colour, worn) < hueDistance(colour, own) ? 0 : 1;
  }
  return intersect(erode(dilate(out, 2), 2), area);
}

/** Fewer samples than this and the median is not the garment's colour. */
const MIN_SAMPLES = 200;

function median(values: number[]): number {
  values.sort((p, q) => p - q);
  return values[values.length >> 1];
}

function medianColour(photo: RgbImage, area: Mask, person: Mask, within: Mask | undefined): Rgb | undefined {
  const channels: number[][] = [[], [], []];
  for (let i = 0; i < area.data.length; i++) {
    if (area.data[i] === 0 || person.data[i] < 0.5 || (within && within.data[i] <= 0)) continue;
    for (let c = 0; c < 3; c++) channels[c].push(photo.data[i * 3 + c]);
  }
  if (channels[0].length < MIN_SAMPLES) return undefined;
  return [median(channels[0]), median(channels[1]), median(channels[2])];
}

/**
 * The median colour over the middle of the torso (a top), else over the hips (bottoms only); undefined
 * where too little of either is visible. `person`: the segmentation (0..1); `within`: only these pixels
 * count (a garment mask).
 */
export function wornColour(photo: RgbImage, g: BodyGeometry, person: Mask, within?: Mask): Rgb | undefined {
  const torso = emptyMask(photo.width, photo.height);
  fillEllipse(torso, mid(g.shoulderMid, g.hipMid), 0.2 * g.shoulderWidth, 0.25 * g.torsoLength);
  const hips = emptyMask(photo.width, photo.height);
  fillEllipse(hips, add(g.hipMid, scale(g.down, 0.15 * g.torsoLength)), 0.5 * g.hipWidth, 0.12 * g.torsoLength);
  return medianColour(photo, torso, person, within) ?? medianColour(photo, hips, person, within);
}

/**
 * A wide skin-tone gate in YCbCr (Chai & Ngan 1999: Cb 77..127, Cr 133..173, light to dark skin), so a hand
 * resting on black trousers or a white hem never seeds or leaks into the cloth.
 */
export function skinLike(photo: RgbImage, i: number): boolean {
  const [r, g, b] = [photo.data[i * 3], photo.data[i * 3 + 1], photo.data[i * 3 + 2]];
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  return cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
}

/**
 * Pixels whose neighbourhood is mostly skin-toned: a hand is smooth, while a print or a check in skin-like
 * browns (a houndstooth dress beside the hand) alternates with other colours and stays out.
 */
export function skinMap(photo: RgbImage): Mask {
  let map = skinMaps.get(photo);
  if (!map) skinMaps.set(photo, (map = computeSkinMap(photo)));
  return map;
}

/** One map per photo: the hands, the forearms and the repaint all ask for it (read-only: callers make new masks). */
const skinMaps = new WeakMap<RgbImage, Mask>();

function computeSkinMap(photo: RgbImage): Mask {
  const { width, height } = photo;
  const skin = emptyMask(width, height);
  const edges = emptyMask(width, height);
  const luma = (i: number): number => 0.299 * photo.data[i * 3] + 0.587 * photo.data[i * 3 + 1] + 0.114 * photo.data[i * 3 + 2];
  for (let i = 0; i < skin.data.length; i++) {
    skin.data[i] = skinLike(photo, i) ? 1 : 0;
    const x = i % width;
    const right = x < width - 1 ? i + 1 : i;
    const below = i + width < skin.data.length ? i + width : i;
    edges.data[i] = Math.abs(luma(right) - luma(i)) + Math.abs(luma(below) - luma(i));
  }
  const dense = feather(skin, 1);
  const busy = feather(edges, 1);
  for (let i = 0; i < dense.data.length; i++) dense.data[i] = skin.data[i] > 0 && dense.data[i] >= 0.6 && busy.data[i] < SMOOTHNESS ? 1 : 0;
  return dense;
}

