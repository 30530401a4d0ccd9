// (c) A JSONL manifest, one `{"image": "...", "text": "..."}` per line; image paths relative to the manifest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DatasetError, type TrainingExample } from './types.js';

const lineSchema = z.object({ image: z.string().min(1), text: z.string() });

/** Parses JSONL, calling `parseLine` on each non-empty line; bad lines become warnings naming the line. */
export async function readJsonl<T>(
  file: string,
  parseLine: (value: unknown) => T,
  warnings: string[],
): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch((e: Error) => {
    throw new DatasetError(`cannot read ${file}: ${e.message}`);
  });
  const out: T[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(parseLine(JSON.parse(line)));
    } catch (e) {
      const why = e instanceof z.ZodError ? e.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : (e as Error).message;
      warnings.push(`${path.basename(file)} line ${i + 1} skipped: ${why}`);
    }
  });
  return out;
}

export async function readJsonlManifestDataset(file: string, warnings: string[]): Promise<TrainingExample[]> {
  const dir = path.dirname(file);
  return readJsonl(file, (v) => {
    const { image, text } = lineSchema.parse(v);
    return { image: path.resolve(dir, image), caption: text.trim() };
  }, warnings);
}
