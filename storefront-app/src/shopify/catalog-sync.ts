// Reads a store's catalog through the Admin GraphQL API into the products table: page by page (cursor
// pagination) for ordinary catalogs, through a bulk operation (one JSONL file) for large ones.
import type { Logger } from 'pino';
import type { CatalogProduct } from '../catalog/product.js';
import type { ProductRepository } from '../db/product-repository.js';
import { type AdminGraphql, AdminGraphqlError } from './admin-graphql.js';
import {
  BULK_CATALOG_QUERY, BULK_STATUS, CATALOG_PAGE, PRODUCT_BY_ID, PRODUCTS_COUNT, START_BULK,
  bulkStatus, bulkVariantLine, catalogPage, productById, productNode, productsCount, startBulk, toCatalogProduct,
} from './catalog-queries.js';
import { classifyCategory } from './classify-category.js';

export interface CatalogSyncOptions {
  /** Catalogs with more products than this are read with a bulk operation. */
  bulkThreshold?: number;
  pageSize?: number;
  bulkPollMs?: number;
  /** Downloads the bulk result file (Shopify serves it from its storage, not the Admin API). */
  fetchFile?: (url: string) => Promise<string>;
}

export interface SyncResult {
  products: number;
  method: 'pages' | 'bulk';
}

export class CatalogSync {
  constructor(
    private readonly shop: string,
    private readonly api: AdminGraphql,
    private readonly products: ProductRepository,
    private readonly log: Logger,
    private readonly options: CatalogSyncOptions = {},
  ) {}

  async syncAll(): Promise<SyncResult> {
    const { productsCount: { count } } = productsCount.parse(await this.api.request(PRODUCTS_COUNT));
    const method = count > (this.options.bulkThreshold ?? 250) ? 'bulk' : 'pages';
    const synced = method === 'bulk' ? await this.viaBulk() : await this.viaPages();
    for (const p of synced) await this.save(p);
    const removed = await this.products.deleteMissing(this.shop, new Set(synced.map((p) => p.productId)));
    this.log.info({ shop: this.shop, products: synced.length, removed, method }, 'catalog synced');
    return { products: synced.length, method };
  }

  /** Re-reads one product (products/create and products/update webhooks); false when it no longer exists. */
  async syncOne(productId: string): Promise<boolean> {
    const { product } = productById.parse(await this.api.request(PRODUCT_BY_ID, { id: productId }));
    if (!product) {
      await this.products.delete(this.shop, productId);
      return false;
    }
    await this.save(toCatalogProduct(product, product.variants.nodes));
    return true;
  }

  private async save(p: CatalogProduct): Promise<void> {
    await this.products.upsert(this.shop, p, classifyCategory(p.productType, p.tags));
  }

  private async viaPages(): Promise<CatalogProduct[]> {
    const out: CatalogProduct[] = [];
    let after: string | null = null;
    for (;;) {
      const page = catalogPage.parse(await this.api.request(CATALOG_PAGE, { first: this.options.pageSize ?? 50, after }));
      for (const node of page.products.nodes) out.push(toCatalogProduct(node, node.variants.nodes));
      if (!page.products.pageInfo.hasNextPage) return out;
      after = page.products.pageInfo.endCursor;
    }
  }

  private async viaBulk(): Promise<CatalogProduct[]> {
    const started = startBulk.parse(await this.api.request(START_BULK, { query: BULK_CATALOG_QUERY }));
    const operation = started.bulkOperationRunQuery.bulkOperation;
    if (!operation) {
      throw new AdminGraphqlError(`bulk operation refused: ${started.bulkOperationRunQuery.userErrors.map((e) => e.message).join('; ')}`);
    }
    for (;;) {
      const { node } = bulkStatus.parse(await this.api.request(BULK_STATUS, { id: operation.id }));
      if (!node) throw new AdminGraphqlError(`bulk operation ${operation.id} disappeared`);
      if (node.status === 'COMPLETED') return node.url ? this.readBulkFile(node.url) : [];
      if (['FAILED', 'CANCELED', 'EXPIRED'].includes(node.status)) {
        throw new AdminGraphqlError(`bulk operation ${operation.id} ended ${node.status} (${node.errorCode ?? 'no error code'})`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.bulkPollMs ?? 2_000));
    }
  }

  private async readBulkFile(url: string): Promise<CatalogProduct[]> {
    const fetchFile = this.options.fetchFile ?? (async (u: string) => {
      const res = await fetch(u);
      if (!res.ok) throw new AdminGraphqlError(`bulk result download failed: HTTP ${res.status}`);
      return res.text();
    });
    const products = new Map<string, CatalogProduct>();
    for (const line of (await fetchFile(url)).split('\n')) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as { __parentId?: string };
      if (record.__parentId) {
        const variant = bulkVariantLine.parse(record);
        products.get(variant.__parentId)?.variants.push({ id: variant.id, title: variant.title });
      } else {
        const node = productNode.parse(record);
        products.set(node.id, toCatalogProduct(node, []));
      }
    }
    return [...products.values()];
  }
}
