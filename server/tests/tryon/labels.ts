// The hand-made labels of the shared person photos (labels.json): face, hands and garment regions as
// boxes, and the share of a box the try-on mask covers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Box = readonly [number, number, number, number];

export interface PhotoLabels {
  readonly face: Box;
  readonly hands: readonly Box[];
  readonly regions: Readonly<Record<'upper' | 'lower' | 'dress', readonly Box[]>>;
  /**
   * Optional: narrow strips of the worn top between an arm hanging against the body and the body, each
   * to be covered by a top's or a dress's mask on its own (pooled with the torso they would hardly count).
   */
  readonly sides?: readonly Box[];
}

// TRYON_LABELS points at another labels file (held-out photos, with SHARED_DIR pointing at them).
const file = process.env.TRYON_LABELS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'labels.json');
const all = (JSON.parse(readFileSync(file, 'utf8')) as { persons: Record<string, PhotoLabels> }).persons;

/** Labels of a person photo: a photo without labels fails the test rather than passing unchecked. */
export function labelsFor(photo: string): PhotoLabels {
  const labels = all[photo];
  if (!labels) throw new Error(`no labels for ${photo} in ${file}`);
  return labels;
}

/** Share of the pixels in the boxes (union) where `pred` holds on the 8-bit mask. */
export function boxShare(mask: { width: number; height: number; data: Uint8Array }, boxes: readonly Box[], pred: (v: number) => boolean): number {
  const seen = new Set<number>();
  for (const [l, t, r, b] of boxes) {
    for (let y = Math.max(0, t); y < Math.min(mask.height, b); y++) {
      for (let x = Math.max(0, l); x < Math.min(mask.width, r); x++) seen.add(y * mask.width + x);
    }
  }
  let hit = 0;
  for (const i of seen) hit += pred(mask.data[i]) ? 1 : 0;
  return seen.size === 0 ? 0 : hit / seen.size;
}
