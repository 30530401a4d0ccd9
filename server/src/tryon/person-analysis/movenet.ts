// MoveNet keypoints. Pass 1 sees the whole photo (padded square); pass 2 re-runs on a square crop around
// the body found, as the MoveNet reference "crop region" does, which sharpens points for small people.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { KEYPOINT_NAMES, type Keypoint, type Keypoints, type KeypointName } from '../types.js';
import { cropSquare, fromRegion, wholePhotoRegion, type SquareRegion } from './square-input.js';

const INPUT_SIZE = 256;
/** Below this MoveNet's point is a guess (the and MoveNet's own demo threshold). */
export const MIN_KEYPOINT_SCORE = 0.3;
/** A point this close to the border (fraction of the shorter side) is where MoveNet parks a cut-off joint. */
const BORDER_FRACTION = 0.01;

interface RawPoint {
  x: number;
  y: number;
  score: number;
}

async function runOnce(model: GraphModel, image: tf.Tensor3D, region: SquareRegion): Promise<RawPoint[]> {
  const input = tf.tidy(() => tf.cast(cropSquare(image, region, INPUT_SIZE), 'int32'));
  const output = model.execute(input) as tf.Tensor;
  const values = await output.data();
  tf.dispose([input, output]);
  const points: RawPoint[] = [];
  for (let k = 0; k < KEYPOINT_NAMES.length; k++) {
    const p = fromRegion(region, values[k * 3 + 1], values[k * 3]);
    points.push({ ...p, score: values[k * 3 + 2] });
  }
  return points;
}

/** A square around the confident points, enlarged so limbs beyond them are in view. */
function bodyRegion(points: RawPoint[], width: number, height: number): SquareRegion | undefined {
  const good = points.filter((p) => p.score >= MIN_KEYPOINT_SCORE);
  if (good.length < 4) return undefined;
  const xs = good.map((p) => p.x);
  const ys = good.map((p) => p.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const size = Math.min(extent * 1.4, Math.max(width, height) * 1.2);
  if (size < 16) return undefined;
  return { left: cx - size / 2, top: cy - size / 2, size };
}

function toKeypoints(points: RawPoint[], width: number, height: number): Keypoints {
  const margin = BORDER_FRACTION * Math.min(width, height);
  const entries = points.map((p, k): [KeypointName, Keypoint] => {
    const name = KEYPOINT_NAMES[k];
    const onBorder = p.x <= margin || p.y <= margin || p.x >= width - 1 - margin || p.y >= height - 1 - margin;
    return [name, { name, x: p.x, y: p.y, score: p.score, visible: p.score >= MIN_KEYPOINT_SCORE && !onBorder }];
  });
  return Object.fromEntries(entries) as Record<KeypointName, Keypoint>;
}

export async function detectKeypoints(model: GraphModel, image: tf.Tensor3D): Promise<Keypoints> {
  const [height, width] = image.shape;
  const first = await runOnce(model, image, wholePhotoRegion(width, height));
  const region = bodyRegion(first, width, height);
  const points = region ? await runOnce(model, image, region) : first;
  return toKeypoints(points, width, height);
}
