// The product photo sent with each try-on, fetched from the store's CDN once and kept in a small cache.
import type { StoredProduct } from './product.js';

export interface GarmentImageSource {
  load(product: StoredProduct): Promise<Buffer>;
}

export class GarmentImageError extends Error {}

const MAX_GARMENT_BYTES = 20 * 1024 * 1024;

export class HttpGarmentImages implements GarmentImageSource {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 64) {}

  async load(product: StoredProduct): Promise<Buffer> {
    const url = product.imageUrl;
    if (!url) throw new GarmentImageError(`product ${product.productId} has no image`);
    const cached = this.cache.get(url);
    if (cached) return cached;
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new GarmentImageError(`product image ${url} answered HTTP ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_GARMENT_BYTES) throw new GarmentImageError(`product image ${url} is larger than 20 MB`);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(url, bytes);
    return bytes;
  }
}
