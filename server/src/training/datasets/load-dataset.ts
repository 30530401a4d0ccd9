// Finds a dataset's layout, reads its pairs, drops unreadable images (with a warning) and filters by keywords.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { readCaptionsFileDataset } from './captions-file.js';
import { CATALOG_FILE, readCatalogExportDataset } from './catalog-export.js';
import { readJsonlManifestDataset } from './jsonl-manifest.js';
import { matchesKeywords } from './keyword-filter.js';
import { readPairedFolderDataset } from './paired-folder.js';
import { DatasetError, type DatasetFormat, type LoadedDataset, type TrainingExample } from './types.js';

export interface DatasetSource {
  /** A folder (layouts a, b, d) or a .jsonl manifest (c). */
  data: string;
  /** Layout (a): the captions file, one line per image. */
  captions?: string;
  /** Keep only pairs whose caption mentions one of these (case-insensitive); empty keeps all. */
  keywords?: readonly string[];
}


export async function detectFormat(source: DatasetSource): Promise<DatasetFormat> {
  const info = await stat(source.data).catch(() => {
    throw new DatasetError(`dataset ${source.data} does not exist`);
  });
  if (info.isFile()) {
    if (source.data.endsWith('.jsonl')) return 'jsonl-manifest';
    throw new DatasetError(`dataset file ${source.data} must be a .jsonl manifest of {"image", "text"} lines`);
  }
  if (source.captions !== undefined) return 'captions-file';
  if (existsSync(path.join(source.data, CATALOG_FILE))) return 'catalog-export';
  return 'paired-folder';
}

async function readPairs(format: DatasetFormat, source: DatasetSource, warnings: string[]): Promise<TrainingExample[]> {
  switch (format) {
    case 'captions-file':
      return readCaptionsFileDataset(source.data, source.captions as string);
    case 'paired-folder':
      return readPairedFolderDataset(source.data, warnings);
    case 'jsonl-manifest':
      return readJsonlManifestDataset(source.data, warnings);
    case 'catalog-export':
      return readCatalogExportDataset(source.data, warnings);
  }
}

/** Reads only the image header: enough to know sharp can decode it, cheap for thousands of files. */
async function unreadableReason(image: string): Promise<string | undefined> {
  try {
    const meta = await sharp(image).metadata();
    if (!meta.width || !meta.height) return 'no image size in header';
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function loadDataset(source: DatasetSource): Promise<LoadedDataset> {
  const format = await detectFormat(source);
  const warnings: string[] = [];
  const pairs = await readPairs(format, source, warnings);
  const readable: TrainingExample[] = [];
  const unreadable: { image: string; reason: string }[] = [];
  for (const pair of pairs) {
    const reason = await unreadableReason(pair.image);
    if (reason === undefined) readable.push(pair);
    else unreadable.push({ image: pair.image, reason });
  }
  const keywords = source.keywords ?? [];
  const kept = readable.filter((p) => matchesKeywords(p.caption, keywords));
  if (kept.length === 0) {
    const why = readable.length === 0 ? 'no readable image/caption pairs' : `none of ${readable.length} captions mention ${keywords.join(' | ')}`;
    throw new DatasetError(`dataset ${source.data} is empty after filtering: ${why}`);
  }
  return {
    examples: kept,
    report: { format, total: readable.length, kept: kept.length, dropped: readable.length - kept.length, unreadable, warnings },
  };
}
