// A Shopify-mode app wired to a fake Shopify, with the shop already installed (an offline session stored).
import { Session } from '@shopify/shopify-api';
import { FakeShopify, type FakeProduct } from './fake-shopify.js';
import { startScriptedInference, succeed, type ScriptedInference } from './scripted-inference.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

export const API_KEY = 'test-api-key';
export const API_SECRET = 'test-api-secret-0123456789';
export const SHOP = 'fitting-test.myshopify.com';

export const sampleProducts = (): FakeProduct[] => [
  { id: 101, handle: 'linen-shirt', title: 'Linen Shirt', productType: 'Shirts', tags: ['linen', 'summer'], description: 'A breezy shirt.', variants: ['S', 'M', 'L'] },
  { id: 102, handle: 'wide-jeans', title: 'Wide Jeans', productType: 'Jeans', tags: ['denim'], description: 'Wide-leg jeans.' },
  { id: 103, handle: 'wrap-dress', title: 'Wrap Dress', productType: '', tags: ['dress', 'party'], description: 'A wrap dress.' },
  { id: 104, handle: 'leather-belt', title: 'Leather Belt', productType: 'Accessories', tags: ['leather', 'belt'], description: 'A belt.' },
  { id: 105, handle: 'rain-coat', title: 'Rain Coat', productType: 'Outerwear', tags: ['coat'], description: 'Keeps you dry.' },
];

export interface ShopifyFixture {
  fake: FakeShopify;
  app: TestApp;
  /** Stores an offline session as a finished OAuth install would (tests of other parts skip the dance). */
  install(shop?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startShopifyFixture(options: Omit<TestAppOptions, 'shopify'> & { products?: FakeProduct[]; bucket?: { maximumAvailable: number; restoreRate: number } } = {}): Promise<ShopifyFixture> {
  const fake = await new FakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, products: options.products ?? sampleProducts(), bucket: options.bucket }).start();
  const app = await startTestApp({ ...options, shopify: { fake, apiKey: API_KEY, apiSecret: API_SECRET } });
  return {
    fake,
    app,
    install: async (shop = SHOP) => {
      const token = `shpat_fixture_${shop}`;
      fake.tokens.set(token, shop);
      const shopify = app.services.shopify;
      if (!shopify) throw new Error('app is not in Shopify mode');
      await app.services.sessions.storeSession(new Session({ id: shopify.session.getOfflineId(shop), shop, state: 'installed', isOnline: false, accessToken: token, scope: 'read_products' }));
      return token;
    },
    close: async () => {
      await app.close();
      await fake.stop();
    },
  };
}

export interface InstalledShop {
  f: ShopifyFixture;
  inference: ScriptedInference;
  close(): Promise<void>;
}

/** A scripted inference server (one step, then a picture) and the app installed on the fake shop, catalog synced. */
export async function startInstalledShop(configure?: (inference: ScriptedInference) => void): Promise<InstalledShop> {
  const inference = await startScriptedInference(succeed(1));
  configure?.(inference);
  const f = await startShopifyFixture({ grpcAddress: inference.address });
  await f.install();
  await f.app.services.catalog?.syncShop(SHOP);
  return {
    f,
    inference,
    close: async () => {
      await f.close();
      await inference.stop();
    },
  };
}
