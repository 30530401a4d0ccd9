// (b) A folder of `name.jpg` + `name.txt` pairs (the kohya / dreambooth layout).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listImages } from './captions-file.js';
import type { TrainingExample } from './types.js';

export async function readPairedFolderDataset(dir: string, warnings: string[]): Promise<TrainingExample[]> {
  const out: TrainingExample[] = [];
  for (const image of await listImages(dir)) {
    const captionFile = image.slice(0, image.length - path.extname(image).length) + '.txt';
    try {
      out.push({ image, caption: (await readFile(captionFile, 'utf8')).trim() });
    } catch {
      warnings.push(`${path.basename(image)} has no caption file ${path.basename(captionFile)}; skipped`);
    }
  }
  return out;
}
