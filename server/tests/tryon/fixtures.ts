// Shared helpers for the try-on tests: the shared photo fixtures (never copied into the repo) and pixel access.
import type { Image } from '../../src/image.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { KEYPOINT_NAMES, type Keypoint, type KeypointName, type Keypoints, type Point } from '../../src/tryon/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const photosDir = path.join(sharedDir, 'fixtures/photos');
export const sdTinyDir = path.join(sharedDir, 'fixtures/sd-tiny');

interface ManifestItem {
  file: string;
  category: string;
  description?: string;
  width: number;
  height: number;
}

function manifest(kind: 'person' | 'garment'): ManifestItem[] {
  const json = JSON.parse(readFileSync(path.join(photosDir, kind, 'manifest.json'), 'utf8')) as { items: ManifestItem[] };
  const onDisk = new Set(readdirSync(path.join(photosDir, kind)));
  return json.items.filter((item) => onDisk.has(item.file));
}

export const persons = (): { file: string; bytes: Buffer; width: number; height: number }[] =>
  manifest('person').map((m) => ({ file: m.file, bytes: readFileSync(path.join(photosDir, 'person', m.file)), width: m.width, height: m.height }));

export const garments = (): { file: string; bytes: Buffer; category: string; description: string }[] =>
  manifest('garment').map((m) => ({
    file: m.file,
    bytes: readFileSync(path.join(photosDir, 'garment', m.file)),
    category: m.category,
    description: m.description ?? '',
  }));

export interface Raw {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

/** Decoded pixels (EXIF orientation applied, as the pipeline does). */
/** An encoded file, decoded; or one of the server's raw images, as is. */
export async function raw(bytes: Buffer | Image, channels: 1 | 3 = 3): Promise<Raw> {
  if (!Buffer.isBuffer(bytes)) {
    if (bytes.channels !== channels) throw new Error(`expected ${channels} channels, got ${bytes.channels}`);
    return { width: bytes.width, height: bytes.height, channels, data: Buffer.from(bytes.data) };
  }
  let img = sharp(bytes).rotate();
  img = channels === 1 ? img.greyscale() : img.removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/** Pixels strictly inside a convex polygon (centres), shrunk towards its centroid by `shrink`. */
export function pixelsInPolygon(polygon: Point[], shrink: number, width: number, height: number): number[] {
  const cx = polygon.reduce((s, p) => s + p.x, 0) / polygon.length;
  const cy = polygon.reduce((s, p) => s + p.y, 0) / polygon.length;
  const poly = polygon.map((p) => ({ x: cx + (p.x - cx) * (1 - shrink), y: cy + (p.y - cy) * (1 - shrink) }));
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let inside = false;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const a = poly[i];
        const b = poly[j];
        if (a.y > y + 0.5 !== b.y > y + 0.5 && x + 0.5 < ((b.x - a.x) * (y + 0.5 - a.y)) / (b.y - a.y) + a.x) inside = !inside;
      }
      if (inside) out.push(y * width + x);
    }
  }
  return out;
}

export const lerp = (a: Keypoint | Point, b: Keypoint | Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

/** Keypoints of a drawn body: the named points visible (score 0.9), the rest hidden at `hidden`. */
export function drawnKeypoints(points: Partial<Record<KeypointName, Point>>, hidden: Point): Keypoints {
  return Object.fromEntries(
    KEYPOINT_NAMES.map((n) => [n, { name: n, ...(points[n] ?? hidden), score: points[n] ? 0.9 : 0.05, visible: points[n] !== undefined }]),
  ) as Keypoints;
}
