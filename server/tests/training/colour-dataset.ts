// A small dataset the project makes itself: garment silhouettes (dress, shirt, skirt) in distinct colours on a
// pale tint of the same colour (so the whole picture carries it), captioned with the colour, plus helpers to
// judge which colour an image shows.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const COLOURS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [220, 30, 30],
  green: [30, 180, 40],
  blue: [30, 60, 220],
  yellow: [240, 220, 30],
};

const GARMENTS = ['dress', 'shirt', 'skirt'] as const;

/** Inside-test of a garment silhouette on the unit square (x, y in [0, 1], y down), with a jitter. */
function inside(garment: (typeof GARMENTS)[number], x: number, y: number, j: number): boolean {
  const cx = 0.5 + j;
  switch (garment) {
    case 'dress': // narrow top widening to the hem
      return y > 0.04 && y < 0.97 && Math.abs(x - cx) < 0.2 + 0.3 * y;
    case 'shirt': // body plus sleeves
      return (y > 0.06 && y < 0.95 && Math.abs(x - cx) < 0.32) || (y > 0.06 && y < 0.45 && Math.abs(x - cx) < 0.48);
    case 'skirt':
      return y > 0.15 && y < 0.95 && Math.abs(x - cx) < 0.25 + 0.25 * (y - 0.15);
  }
}

/** What the store would write for a product of this colour and kind (also the prompt the tests use). */
export function colourCatalogLine(colour: string, garment: string, image: string): Record<string, unknown> {
  const kind = garment[0].toUpperCase() + garment.slice(1);
  return { image, title: `${colour} ${garment}`, product_type: kind, tags: [colour, garment], description: `<p>A ${garment} in ${colour}.</p>`, category: 'Apparel' };
}

/**
 * Writes `perColour` images per colour (size px) as a storefront catalog export (catalog.jsonl) and a JSONL
 * manifest {image, text}; returns the manifest path (the folder is the catalog export).
 */
export async function writeColourDataset(dir: string, size: number, perColour: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  const catalog: string[] = [];
  for (const [name, rgb] of Object.entries(COLOURS)) {
    for (let k = 0; k < perColour; k++) {
      const garment = GARMENTS[k % GARMENTS.length];
      const jitter = ((k * 37) % 7) / 70 - 0.04;
      const raw = Buffer.alloc(size * size * 3);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const on = inside(garment, (x + 0.5) / size, (y + 0.5) / size, jitter);
          const c = on ? rgb : rgb.map((v) => Math.round(v + 0.6 * (255 - v)));
          raw.set(c, (y * size + x) * 3);
        }
      }
      const file = `${name}-${garment}-${k}.png`;
      await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path.join(dir, file));
      lines.push(JSON.stringify({ image: file, text: `a ${name} ${garment}` }));
      catalog.push(JSON.stringify(colourCatalogLine(name, garment, file)));
    }
  }
  const manifest = path.join(dir, 'train.jsonl');
  await writeFile(manifest, `${lines.join('\n')}\n`);
  await writeFile(path.join(dir, 'catalog.jsonl'), `${catalog.join('\n')}\n`);
  return manifest;
}

/** Mean RGB of an image's pixels (0..1). */
export function meanColour(rgb: ArrayLike<number>, scale = 255): [number, number, number] {
  const sum = [0, 0, 0];
  for (let i = 0; i < rgb.length; i++) sum[i % 3] += rgb[i] / scale;
  const n = rgb.length / 3;
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

/** The class whose reference colour is nearest (Euclidean in RGB). */
export function nearestColour(colour: readonly number[], references: ReadonlyMap<string, readonly number[]>): string {
  let best = '';
  let bestDist = Infinity;
  for (const [name, ref] of references) {
    const d = ref.reduce((acc, r, i) => acc + (r - colour[i]) ** 2, 0);
    if (d < bestDist) {
      bestDist = d;
      best = name;
    }
  }
  return best;
}
