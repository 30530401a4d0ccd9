// Writes a shop's try-on products as the training dataset format the inference server reads
// (@fitting-room/proto's catalog-export.ts): a folder with `catalog.jsonl` and `images/`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CATALOG_FILE, type CatalogLine } from '@fitting-room/proto';
import { sniffImageType } from '../photos/image-type.js';
import type { GarmentImageSource } from './garment-images.js';
import { effectiveCategory, type StoredProduct, type TryOnCategory } from './product.js';

const TAXONOMY: Record<Exclude<TryOnCategory, 'not_wearable'>, string> = {
  upper: 'Apparel > Tops',
  lower: 'Apparel > Bottoms',
  dress: 'Apparel > Dresses',
};

export interface ExportResult {
  dir: string;
  products: number;
  skipped: { productId: string; reason: string }[];
}

export async function exportCatalogDataset(products: readonly StoredProduct[], images: GarmentImageSource, dir: string): Promise<ExportResult> {
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  const lines: CatalogLine[] = [];
  const skipped: ExportResult['skipped'] = [];
  for (const product of products) {
    const category = effectiveCategory(product);
    if (!product.tryOnEnabled || category === 'not_wearable') continue;
    let bytes: Buffer;
    try {
      bytes = await images.load(product);
    } catch (err) {
      skipped.push({ productId: product.productId, reason: (err as Error).message });
      continue;
    }
    const type = sniffImageType(bytes);
    if (!type || type === 'heic') {
      skipped.push({ productId: product.productId, reason: 'image is not JPEG, PNG or WebP' });
      continue;
    }
    const image = `images/${product.handle.replace(/[^a-z0-9-_]/gi, '_')}.${type === 'jpeg' ? 'jpg' : type}`;
    await fs.writeFile(path.join(dir, image), bytes);
    lines.push({ image, title: product.title, product_type: product.productType, tags: product.tags, description: product.description, category: TAXONOMY[category] });
  }
  // Written last and renamed into place: a reader never sees a half-written manifest.
  const tmp = path.join(dir, `${CATALOG_FILE}.tmp`);
  await fs.writeFile(tmp, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
  await fs.rename(tmp, path.join(dir, CATALOG_FILE));
  return { dir, products: lines.length, skipped };
}
