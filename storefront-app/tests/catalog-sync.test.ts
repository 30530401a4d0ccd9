// Catalog sync through the fake Admin GraphQL API: cursor pages, THROTTLED answers, bulk operations, and the
// merchant's choices surviving a resync.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProduct } from './support/fake-shopify.js';
import { SHOP, sampleProducts, startShopifyFixture, type ShopifyFixture } from './support/shopify-fixture.js';

const manyProducts = (n: number): FakeProduct[] =>
  Array.from({ length: n }, (_, i) => ({ id: 1000 + i, handle: `tee-${i}`, title: `Tee ${i}`, productType: 'T-Shirt', tags: [], description: '' }));

let f: ShopifyFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('catalog sync', () => {
  it('reads every page and classifies products, with media, tags and variants', async () => {
    f = await startShopifyFixture({ deps: { catalogSync: { pageSize: 2 } } });
    await f.install();
    const result = await f.app.services.catalog?.syncShop(SHOP);
    expect(result).toEqual({ products: 5, method: 'pages' });
    expect(f.fake.graphqlLog.map((l) => l.operation)).toEqual(['ProductsCount', 'CatalogPage', 'CatalogPage', 'CatalogPage']);

    const products = await f.app.services.products.list(SHOP);
    const byHandle = Object.fromEntries(products.map((p) => [p.handle, p]));
    expect(Object.fromEntries(products.map((p) => [p.handle, p.autoCategory]))).toEqual({
      'linen-shirt': 'upper', 'wide-jeans': 'lower', 'wrap-dress': 'dress', 'leather-belt': 'not_wearable', 'rain-coat': 'upper',
    });
    expect(byHandle['linen-shirt']).toMatchObject({
      productId: 'gid://shopify/Product/101',
      title: 'Linen Shirt',
      productType: 'Shirts',
      tags: ['linen', 'summer'],
      description: 'A breezy shirt.',
      imageUrl: f.fake.imageUrl('linen-shirt'),
    });
    expect(byHandle['linen-shirt'].variants.map((v) => v.title)).toEqual(['S', 'M', 'L']);
  });

  it('waits and retries when the Admin API answers THROTTLED', async () => {
    // A small bucket that refills fast, and another client of the shop that empties it before the third call.
    f = await startShopifyFixture({ products: manyProducts(9), bucket: { maximumAvailable: 40, restoreRate: 200 }, deps: { catalogSync: { pageSize: 4 } } });
    await f.install();
    const fake = f.fake;
    fake.beforeGraphql = (_op, index) => {
      if (index === 2) fake.spend(1000);
    };
    const result = await f.app.services.catalog?.syncShop(SHOP);
    expect(result).toEqual({ products: 9, method: 'pages' });
    const log = fake.graphqlLog;
    const throttledAt = log.findIndex((l) => l.throttled);
    expect(throttledAt).toBe(2);
    // The throttled page was asked again, and answered.
    expect(log[throttledAt + 1]).toEqual({ operation: 'CatalogPage', throttled: false });
    expect(log.filter((l) => l.operation === 'CatalogPage' && !l.throttled)).toHaveLength(3);
    expect(await f.app.services.products.list(SHOP)).toHaveLength(9);
  });

  it('uses a bulk operation for large catalogs and joins variants to products', async () => {
    f = await startShopifyFixture({ deps: { catalogSync: { bulkThreshold: 3, bulkPollMs: 10 } } });
    await f.install();
    const result = await f.app.services.catalog?.syncShop(SHOP);
    expect(result).toEqual({ products: 5, method: 'bulk' });
    const ops = f.fake.graphqlLog.map((l) => l.operation);
    expect(ops.slice(0, 2)).toEqual(['ProductsCount', 'StartCatalogBulk']);
    expect(ops.filter((o) => o === 'BulkStatus').length).toBeGreaterThanOrEqual(2);
    expect(ops).not.toContain('CatalogPage');
    const shirt = await f.app.services.products.get(SHOP, 'gid://shopify/Product/101');
    expect(shirt?.variants.map((v) => v.title)).toEqual(['S', 'M', 'L']);
    expect(shirt?.autoCategory).toBe('upper');
  });

  it("keeps the merchant's category override and on/off switch through a resync", async () => {
    f = await startShopifyFixture();
    await f.install();
    await f.app.services.catalog?.syncShop(SHOP);
    const belt = 'gid://shopify/Product/104';
    const coat = 'gid://shopify/Product/105';
    expect(await f.app.services.products.setMerchantChoice(SHOP, coat, 'dress', false)).toBe(true);
    f.fake.products.find((p) => p.id === 105)!.title = 'Rain Coat (new)';
    await f.app.services.catalog?.syncShop(SHOP);
    expect(await f.app.services.products.get(SHOP, coat)).toMatchObject({ title: 'Rain Coat (new)', autoCategory: 'upper', categoryOverride: 'dress', tryOnEnabled: false });
    expect(await f.app.services.products.get(SHOP, belt)).toMatchObject({ categoryOverride: null, tryOnEnabled: true });
  });

  it('removes products that disappeared from Shopify without a webhook', async () => {
    f = await startShopifyFixture();
    await f.install();
    await f.app.services.catalog?.syncShop(SHOP);
    f.fake.products.splice(f.fake.products.findIndex((p) => p.id === 103), 1);
    await f.app.services.catalog?.syncShop(SHOP);
    expect((await f.app.services.products.list(SHOP)).map((p) => p.handle).sort()).toEqual(['leather-belt', 'linen-shirt', 'rain-coat', 'wide-jeans']);
  });

  it('fails clearly without an installed session', async () => {
    f = await startShopifyFixture({ products: sampleProducts() });
    expect(await f.app.services.catalog?.syncShop(SHOP)).toBeUndefined();
    expect(f.fake.graphqlLog).toEqual([]);
  });
});
