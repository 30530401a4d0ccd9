// (d) The storefront app's catalog export (format in @fitting-room/proto's catalog-export.ts), read as training examples.
import path from 'node:path';
import { CATALOG_FILE, catalogLineSchema, type CatalogLine } from '@fitting-room/proto';
import { readJsonl } from './jsonl-manifest.js';
import type { TrainingExample } from './types.js';

export function stripHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The caption: title first (the tokenizer keeps 75 tokens, so the most specific words go first), then product
 * type, tags, and the description.
 */
export function catalogCaption(line: CatalogLine): string {
  const parts = [line.title.trim(), line.product_type.trim(), line.tags.map((t) => t.trim()).filter(Boolean).join(', '), stripHtml(line.description)];
  return parts.filter((p) => p.length > 0).join(', ');
}

export async function readCatalogExportDataset(dir: string, warnings: string[]): Promise<TrainingExample[]> {
  return readJsonl(path.join(dir, CATALOG_FILE), (v) => {
    const line = catalogLineSchema.parse(v);
    return { image: path.resolve(dir, line.image), caption: catalogCaption(line) };
  }, warnings);
}

export { CATALOG_FILE, catalogLineSchema, type CatalogLine };
