// (a) The original layout: a folder of images and a captions file with one line per image, in file-name order.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, isImageFile, type TrainingExample } from './types.js';

export async function listImages(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter(isImageFile);
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => path.join(dir, n));
}

export async function readCaptionsFileDataset(dir: string, captionsFile: string): Promise<TrainingExample[]> {
  const images = await listImages(dir);
  const text = await readFile(captionsFile, 'utf8').catch((e: Error) => {
    throw new DatasetError(`cannot read captions file ${captionsFile}: ${e.message}`);
  });
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length !== images.length) {
    throw new DatasetError(
      `${captionsFile} has ${lines.length} caption line(s) but ${dir} has ${images.length} image(s); ` +
        'expected one line per image, in file-name order',
    );
  }
  return images.map((image, i) => ({ image, caption: lines[i].trim() }));
}
