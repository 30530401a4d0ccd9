// The garment cut out of its product photo: by backdrop colour, and on a model also by the person
// segmentation, so the model's skin and head stay behind.
import type { Category, RgbaImage } from '../types.js';
import { removeBackground, type CutOut } from './background.js';
import { modelGarmentMask } from './on-model.js';

export interface GarmentCutOut extends CutOut {
  /** Whether the photo showed the garment worn by a model. */
  readonly onModel: boolean;
}

export async function cutOutGarment(photo: RgbaImage, category: Category): Promise<GarmentCutOut> {
  const cut = removeBackground(photo);
  const worn = await modelGarmentMask(photo, category);
  if (!worn) return { ...cut, onModel: false };
  const data = new Uint8Array(cut.image.data);
  for (let i = 0; i < worn.data.length; i++) if (worn.data[i] === 0) data[i * 4 + 3] = 0;
  // The segmentation separated the garment from whatever backdrop there was.
  return { image: { ...cut.image, data }, backgroundRemoved: true, onModel: true };
}
