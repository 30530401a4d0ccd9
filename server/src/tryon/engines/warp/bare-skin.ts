// The person's own bare skin inside the mask (arms, shoulders, a neckline the old garment left open) is not
// old garment: where the new garment leaves it uncovered it stays as photographed, with its texture and
// shading, instead of being repainted as one flat skin colour. A pixel counts as bare skin when it passes
// the skin-tone gate and its colour is nearer the person's skin outside the mask than the old garment's.
// When the old garment itself looks like skin (a beige or pink top), nothing is kept: the two cannot be
// told apart by colour, and leaving the old garment would be the worse mistake.
import { bodyGeometry } from '../../masks/body-geometry.js';
import { dilate, emptyMask, erode, feather } from '../../masks/raster.js';
import { colourAt, hueDistance, rgbColour, type Rgb } from '../../masks/colour.js';
import type { Mask, PersonAnalysis, RgbImage } from '../../types.js';

/** Chromaticity distance (r, g of r+g+b) under which two colours are the same hue. */
const SAME_HUE = 0.035;
/** Brightness of a kept pixel against the skin's: shading on an arm, not a white or black cloth. */
const BRIGHTNESS_RANGE: readonly [number, number] = [0.45, 1.6];


/**
 * 0..1 per pixel: how much of the photo's own pixel to keep inside the mask. `skinGate` is the skin-tone
 * map, `skin` the person's skin colour outside the mask, `garment` the old garment's (wornColour within
 * the mask; undefined: no garment worn there).
 */
export function bareSkin(photo: RgbImage, analysis: PersonAnalysis, mask: Mask, skinGate: Mask, skin: Rgb, garment: Rgb | undefined): Mask {
  const keep = emptyMask(photo.width, photo.height);
  const skinHue = rgbColour(skin);
  const garmentHue = garment ? rgbColour(garment) : undefined;
  if (garmentHue && hueDistance(skinHue, garmentHue) < SAME_HUE * 1.5) return keep;
  const sw = bodyGeometry(analysis.keypoints).shoulderWidth;
  for (let i = 0; i < keep.data.length; i++) {
    if (mask.data[i] <= 0 || skinGate.data[i] === 0 || analysis.personMask.data[i] < 0.5) continue;
    const hue = colourAt(photo, i);
    const toSkin = hueDistance(hue, skinHue);
    const ratio = hue.brightness / skinHue.brightness;
    if (toSkin > SAME_HUE || ratio < BRIGHTNESS_RANGE[0] || ratio > BRIGHTNESS_RANGE[1]) continue;
    if (garmentHue && hueDistance(hue, garmentHue) <= toSkin) continue;
    keep.data[i] = 1;
  }
  // Opened, so specks of skin-toned print or creases in the old garment do not survive; feathered, so the
  // kept skin meets the repainted area without a seam; never beyond the mask.
  const r = Math.max(1, 0.01 * sw);
  const soft = feather(dilate(erode(keep, r), r), Math.max(1, r / 2));
  for (let i = 0; i < soft.data.length; i++) if (mask.data[i] <= 0) soft.data[i] = 0;
  return soft;
}
