import type { CatalogProduct, StoredProduct, TryOnCategory } from '../catalog/product.js';
import type { SqlDatabase } from './sql-database.js';

interface Row {
  shop: string;
  product_id: string;
  handle: string;
  title: string;
  product_type: string;
  tags: string;
  description: string;
  image_url: string | null;
  variants: string;
  category: TryOnCategory;
  category_override: TryOnCategory | null;
  tryon_enabled: number;
}

const fromRow = (r: Row): StoredProduct => ({
  shop: r.shop,
  productId: r.product_id,
  handle: r.handle,
  title: r.title,
  productType: r.product_type,
  tags: JSON.parse(r.tags) as string[],
  description: r.description,
  imageUrl: r.image_url,
  variants: JSON.parse(r.variants) as StoredProduct['variants'],
  autoCategory: r.category,
  categoryOverride: r.category_override,
  tryOnEnabled: r.tryon_enabled === 1,
});

export class ProductRepository {
  constructor(private readonly db: SqlDatabase) {}

  /** Inserts or refreshes a synced product; the merchant's override and on/off switch survive a resync. */
  async upsert(shop: string, p: CatalogProduct, category: TryOnCategory, now = Date.now()): Promise<void> {
    await this.db.run(
      `INSERT INTO products (shop, product_id, handle, title, product_type, tags, description, image_url, variants, category, synced_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (shop, product_id) DO UPDATE SET handle = excluded.handle, title = excluded.title,
         product_type = excluded.product_type, tags = excluded.tags, description = excluded.description,
         image_url = excluded.image_url, variants = excluded.variants, category = excluded.category,
         synced_at = excluded.synced_at`,
      [shop, p.productId, p.handle, p.title, p.productType, JSON.stringify(p.tags), p.description, p.imageUrl,
        JSON.stringify(p.variants), category, now],
    );
  }

  async get(shop: string, productId: string): Promise<StoredProduct | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM products WHERE shop = ? AND product_id = ?', [shop, productId]);
    return row && fromRow(row);
  }

  async getByHandle(shop: string, handle: string): Promise<StoredProduct | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM products WHERE shop = ? AND handle = ?', [shop, handle]);
    return row && fromRow(row);
  }

  async list(shop: string): Promise<StoredProduct[]> {
    return (await this.db.all<Row>('SELECT * FROM products WHERE shop = ? ORDER BY title', [shop])).map(fromRow);
  }

  async setMerchantChoice(shop: string, productId: string, override: TryOnCategory | null, enabled: boolean): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE products SET category_override = ?, tryon_enabled = ? WHERE shop = ? AND product_id = ?',
      [override, enabled ? 1 : 0, shop, productId],
    );
    return changed > 0;
  }

  async delete(shop: string, productId: string): Promise<void> {
    await this.db.run('DELETE FROM products WHERE shop = ? AND product_id = ?', [shop, productId]);
  }

  /** Removes products a full sync did not see (deleted in Shopify while no webhook reached us). */
  async deleteMissing(shop: string, keep: ReadonlySet<string>): Promise<number> {
    const rows = await this.db.all<{ product_id: string }>('SELECT product_id FROM products WHERE shop = ?', [shop]);
    let deleted = 0;
    for (const { product_id } of rows) {
      if (!keep.has(product_id)) deleted += await this.db.run('DELETE FROM products WHERE shop = ? AND product_id = ?', [shop, product_id]);
    }
    return deleted;
  }

  async deleteShop(shop: string): Promise<number> {
    return this.db.run('DELETE FROM products WHERE shop = ?', [shop]);
  }
}
