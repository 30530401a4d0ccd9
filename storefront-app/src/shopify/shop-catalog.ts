// Catalog sync for an installed shop: finds its offline session and runs CatalogSync with it.
import type { Shopify } from '@shopify/shopify-api';
import type { Logger } from 'pino';
import type { ProductRepository } from '../db/product-repository.js';
import type { SqlSessionStorage } from '../db/session-storage.js';
import { ThrottledAdminGraphql } from './admin-graphql.js';
import { CatalogSync, type CatalogSyncOptions, type SyncResult } from './catalog-sync.js';

export class ShopCatalog {
  constructor(
    private readonly shopify: Shopify,
    private readonly sessions: SqlSessionStorage,
    private readonly products: ProductRepository,
    private readonly log: Logger,
    private readonly options: CatalogSyncOptions = {},
  ) {}

  private async syncFor(shop: string): Promise<CatalogSync | undefined> {
    const session = await this.sessions.loadSession(this.shopify.session.getOfflineId(shop));
    if (!session?.accessToken) {
      this.log.warn({ shop }, 'no offline session for shop; catalog not synced');
      return undefined;
    }
    return new CatalogSync(shop, new ThrottledAdminGraphql(this.shopify, session, this.log), this.products, this.log, this.options);
  }

  async syncShop(shop: string): Promise<SyncResult | undefined> {
    return (await this.syncFor(shop))?.syncAll();
  }

  async syncProduct(shop: string, productId: string): Promise<boolean> {
    return (await (await this.syncFor(shop))?.syncOne(productId)) ?? false;
  }
}
