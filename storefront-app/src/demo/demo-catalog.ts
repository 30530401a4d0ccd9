// The standalone demo store: a few products whose pictures are drawn by code (garment-art.ts).
import type { GarmentImageSource } from '../catalog/garment-images.js';
import type { CatalogProduct, StoredProduct } from '../catalog/product.js';
import type { ProductRepository } from '../db/product-repository.js';
import { classifyCategory } from '../shopify/classify-category.js';
import { drawGarment, type GarmentShape } from './garment-art.js';

interface DemoProduct extends CatalogProduct {
  art: { shape: GarmentShape; color: string; accent: string };
  price: string;
}

const demo = (handle: string, title: string, productType: string, tags: string[], description: string, price: string, art: DemoProduct['art']): DemoProduct => ({
  productId: `demo-${handle}`,
  handle,
  title,
  productType,
  tags,
  description,
  imageUrl: `/demo/images/${handle}.png`,
  variants: [{ id: `demo-${handle}-m`, title: 'M' }],
  art,
  price,
});

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  demo('coral-crew-tee', 'Coral Crew Tee', 'T-Shirt', ['cotton', 'basics'], 'A soft cotton crew-neck tee in coral.', '€19', { shape: 'tee', color: '#f26b5b', accent: '#b8483b' }),
  demo('striped-knit-sweater', 'Striped Knit Sweater', 'Sweater', ['wool', 'winter'], 'A warm knit sweater with navy stripes.', '€59', { shape: 'sweater', color: '#f4efe6', accent: '#24365c' }),
  demo('straight-leg-jeans', 'Straight Leg Jeans', 'Jeans', ['denim'], 'Mid-blue straight-leg jeans in rigid denim.', '€49', { shape: 'jeans', color: '#4a6fa5', accent: '#2c4468' }),
  demo('linen-midi-dress', 'Linen Midi Dress', 'Dress', ['linen', 'summer'], 'A sleeveless linen dress that falls below the knee.', '€69', { shape: 'dress', color: '#6b8f71', accent: '#3f5a44' }),
  demo('canvas-tote', 'Canvas Tote Bag', 'Bag', ['accessories'], 'A sturdy canvas tote (not a try-on product).', '€15', { shape: 'tote', color: '#d9c8a9', accent: '#8a7351' }),
];

export const demoProductByHandle = (handle: string): DemoProduct | undefined => DEMO_PRODUCTS.find((p) => p.handle === handle);

export async function seedDemoCatalog(products: ProductRepository, shop: string): Promise<void> {
  for (const p of DEMO_PRODUCTS) await products.upsert(shop, p, classifyCategory(p.productType, p.tags));
}

/** Demo product pictures, drawn once per process. */
export class DemoGarmentImages implements GarmentImageSource {
  private readonly cache = new Map<string, Promise<Buffer>>();

  loadByHandle(handle: string): Promise<Buffer> | undefined {
    const p = demoProductByHandle(handle);
    if (!p) return undefined;
    let image = this.cache.get(handle);
    if (!image) {
      image = drawGarment(p.art.shape, p.art.color, p.art.accent);
      this.cache.set(handle, image);
    }
    return image;
  }

  async load(product: StoredProduct): Promise<Buffer> {
    const image = this.loadByHandle(product.handle);
    if (!image) throw new Error(`no demo picture for "${product.handle}"`);
    return image;
  }
}
