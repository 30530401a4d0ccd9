// (d) The storefront app's catalog export: a folder with `catalog.jsonl` and the product images beside it.
//
// Format (one JSON object per line, UTF-8):
//   {"image": "images/123-1.jpg",          // path relative to the folder (or absolute)
//    "title": "Black latex mini dress",    // product title
//    "product_type": "Dress",              // Shopify product type ("" if none)
//    "tags": ["latex", "black", "party"],  // product tags
//    "description": "<p>Glossy ...</p>",   // product description; HTML is stripped here
//    "category": "Apparel > Dresses"}      // taxonomy path ("" if none)
// One line per product image: a product with three photos gives three lines sharing the text fields.
import path from 'node:path';
import { z } from 'zod';
import { readJsonl } from './jsonl-manifest.js';
import type { TrainingExample } from './types.js';

export const CATALOG_FILE = 'catalog.jsonl';

export const catalogLineSchema = z.object({
  image: z.string().min(1),
  title: z.string(),
  product_type: z.string().default(''),
  tags: z.array(z.string()).default([]),
  description: z.string().default(''),
  category: z.string().default(''),
});
export type CatalogLine = z.infer<typeof catalogLineSchema>;

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
