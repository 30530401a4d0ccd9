// Refuses photos the try-on cannot work on, before any generation runs, with a sentence the shopper's
// UI can show. Each check says what it saw.
import { TryOnError } from '../errors.js';
import type { Box, Category, KeypointName, Keypoints } from '../types.js';
import type { PersonDetection } from './people-count.js';

/** Below this share of the photo's height the body is too few pixels to dress. */
const MIN_PERSON_HEIGHT_FRACTION = 0.25;
/** A second detection at least this tall (relative to the first) is a second person, not a reflection. */
const SECOND_PERSON_RELATIVE_HEIGHT = 0.4;
const MIN_VISIBLE_KEYPOINTS = 4;

/** The joints a garment of each category is placed from. */
export const REQUIRED_KEYPOINTS: Readonly<Record<Category, readonly KeypointName[]>> = {
  upper: ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'],
  lower: ['left_hip', 'right_hip'],
  dress: ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'],
};

export interface ValidationInput {
  readonly width: number;
  readonly height: number;
  readonly people: readonly PersonDetection[];
  readonly keypoints: Keypoints;
  readonly personPixels: number;
  readonly box: Box | undefined;
  readonly category: Category;
}

export function validatePerson(v: ValidationInput): void {
  const visible = Object.values(v.keypoints).filter((k) => k.visible).length;
  const coverage = v.personPixels / (v.width * v.height);
  if (v.people.length === 0 || visible < MIN_VISIBLE_KEYPOINTS || coverage < 0.01 || !v.box) {
    throw new TryOnError(
      'NO_PERSON',
      `no person found in the photo (person detector score below threshold, ${visible} body points visible, ` +
        `${(coverage * 100).toFixed(1)}% of the photo segmented as a person): upload a photo of yourself`,
    );
  }
  const [main, ...others] = v.people;
  const second = others.find((p) => p.heightFraction >= SECOND_PERSON_RELATIVE_HEIGHT * main.heightFraction);
  if (second) {
    throw new TryOnError(
      'SEVERAL_PEOPLE',
      `${1 + others.filter((p) => p.heightFraction >= SECOND_PERSON_RELATIVE_HEIGHT * main.heightFraction).length} people found in the photo: upload a photo with only you in it`,
    );
  }
  const personHeight = (v.box.bottom - v.box.top) / v.height;
  if (personHeight < MIN_PERSON_HEIGHT_FRACTION) {
    throw new TryOnError(
      'PERSON_TOO_SMALL',
      `the person fills only ${(personHeight * 100).toFixed(0)}% of the photo's height (at least ` +
        `${MIN_PERSON_HEIGHT_FRACTION * 100}% needed): take the photo closer`,
    );
  }
  const missing = REQUIRED_KEYPOINTS[v.category].filter((name) => !v.keypoints[name].visible);
  if (missing.length > 0) {
    throw new TryOnError(
      'PERSON_CUT_OFF',
      `for a ${v.category} garment the photo must show ${REQUIRED_KEYPOINTS[v.category].join(', ').replaceAll('_', ' ')}; ` +
        `not visible: ${missing.join(', ').replaceAll('_', ' ')}`,
    );
  }
}
