// Person analysis: keypoints, people count and segmentation on our tfjs backend, then validation.
import * as tf from '@tensorflow/tfjs-core';
import { TryOnError } from '../errors.js';
import type { Box, Category, HandKeypoints, Mask, PersonAnalysis, RgbImage } from '../types.js';
import { loadPersonModels } from './models.js';
import { detectHandKeypoints } from './hand-keypoints.js';
import { detectKeypoints } from './movenet.js';
import { detectPeople } from './people-count.js';
import { segmentPerson } from './segmentation.js';
import { validatePerson } from './validate.js';

const PERSON_THRESHOLD = 0.5;

/** Extent of the pixels the segmentation calls person, and how many there are. */
export function personExtent(mask: Mask): { box: Box | undefined; pixels: number } {
  let left = mask.width;
  let top = mask.height;
  let right = -1;
  let bottom = -1;
  let pixels = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] < PERSON_THRESHOLD) continue;
      pixels++;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return { box: pixels > 0 ? { left, top, right: right + 1, bottom: bottom + 1 } : undefined, pixels };
}

/**
 * BlazePose's hand points, or none when it fails: the masks then find the hands past MoveNet's wrists, so a
 * failure there must not cost the shopper the try-on.
 */
async function handKeypointsOrNone(...args: Parameters<typeof detectHandKeypoints>): Promise<HandKeypoints | undefined> {
  try {
    return await detectHandKeypoints(...args);
  } catch {
    return undefined;
  }
}

export async function analyzePerson(photo: RgbImage, category: Category): Promise<PersonAnalysis> {
  const models = await loadPersonModels();
  const image = tf.tensor3d(photo.data, [photo.height, photo.width, 3], 'int32');
  try {
    const people = await detectPeople(models.people, image);
    const keypoints = await detectKeypoints(models.keypoints, image);
    const personMask = await segmentPerson(models.segmentation, image);
    const { box, pixels } = personExtent(personMask);
    validatePerson({ width: photo.width, height: photo.height, people, keypoints, personPixels: pixels, box, category });
    if (!box) throw new TryOnError('NO_PERSON', 'no person found in the photo');
    const hands = await handKeypointsOrNone(models.pose, image, keypoints);
    return { width: photo.width, height: photo.height, keypoints, hands, personMask, box };
  } finally {
    image.dispose();
  }
}
