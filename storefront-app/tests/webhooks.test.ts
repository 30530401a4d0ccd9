// POST /webhooks with Shopify's real delivery format (HMAC of the raw body): invalid deliveries change nothing;
// product topics resync; app/uninstalled and the compliance topics delete what they must, and only that.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf, storedImage } from './support/jobs.js';
import { runUntilCancelled, startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { API_SECRET, SHOP, startShopifyFixture, type ShopifyFixture } from './support/shopify-fixture.js';

const OTHER_SHOP = 'other-store.myshopify.com';
let f: ShopifyFixture;
let inference: ScriptedInference;

/** Row counts straight from the SQLite file, per table, for one shop. */
function counts(shop: string) {
  const db = new Database(f.app.dbFile, { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get(shop) as { n: number }).n;
    return {
      sessions: one('SELECT COUNT(*) AS n FROM shopify_sessions WHERE shop = ?'),
      products: one('SELECT COUNT(*) AS n FROM products WHERE shop = ?'),
      jobs: one('SELECT COUNT(*) AS n FROM jobs WHERE shop = ?'),
      images: one('SELECT COUNT(*) AS n FROM sealed_images JOIN jobs ON jobs.id = sealed_images.job_id WHERE jobs.shop = ?'),
      usage: one('SELECT COUNT(*) AS n FROM usage_daily WHERE shop = ?'),
      trainingRuns: one('SELECT COUNT(*) AS n FROM training_runs WHERE shop = ?'),
    };
  } finally {
    db.close();
  }
}

async function tryOn(shop: string, customerId: string, productId = '101') {
  const q = f.fake.proxyQuery(shop, { logged_in_customer_id: customerId });
  const res = await fetch(`${f.app.url}/proxy/tryon?${q}`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: productId, consent: 'true' }) });
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  return jobId; // the handle
}

async function finishedTryOn(shop: string, customerId: string) {
  const jobId = await tryOn(shop, customerId);
  const { events } = await readSse(`${f.app.url}/proxy/tryon/${jobId}/events?${f.fake.proxyQuery(shop, { logged_in_customer_id: customerId })}`);
  expect(events.at(-1)?.event).toBe('result');
  return jobId;
}

const deliver = (topic: string, payload: unknown, shop = SHOP, secret?: string) => f.fake.deliverWebhook(f.app.url, topic, shop, payload, secret);

beforeAll(async () => {
  inference = await startScriptedInference(succeed(1));
  f = await startShopifyFixture({ grpcAddress: inference.address, config: { rateLimits: { perShopperPerMinute: 100, perShopPerMinute: 100 } } });
  for (const shop of [SHOP, OTHER_SHOP]) {
    await f.install(shop);
    await f.app.services.catalog?.syncShop(shop);
  }
  await f.app.services.trainingRuns.create('run-1', SHOP);
  await f.app.services.trainingRuns.create('run-2', OTHER_SHOP);
});
afterAll(async () => {
  await f.close();
  await inference.stop();
});

describe('webhook HMAC', () => {
  const invalid: { name: string; send: () => Promise<Response> }[] = [
    { name: 'signed with another secret', send: () => deliver('shop/redact', { shop_id: 1, shop_domain: SHOP }, SHOP, 'not-the-secret') },
    { name: 'body changed after signing', send: async () => {
      const body = JSON.stringify({ shop_id: 1, shop_domain: SHOP });
      const { createHmac } = await import('node:crypto');
      return fetch(`${f.app.url}/webhooks`, {
        method: 'POST',
        body: body.replace('1', '2'),
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Topic': 'shop/redact', 'X-Shopify-Shop-Domain': SHOP, 'X-Shopify-API-Version': '2025-10', 'X-Shopify-Webhook-Id': 'w1', 'X-Shopify-Hmac-Sha256': createHmac('sha256', API_SECRET).update(body).digest('base64') },
      });
    } },
    { name: 'no HMAC header', send: () => fetch(`${f.app.url}/webhooks`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', 'X-Shopify-Topic': 'shop/redact', 'X-Shopify-Shop-Domain': SHOP, 'X-Shopify-API-Version': '2025-10', 'X-Shopify-Webhook-Id': 'w2' } }) },
  ];
  invalid.push({
    name: "another shop's signed delivery replayed with this shop's header",
    send: () => deliver('shop/redact', { shop_id: 2, shop_domain: OTHER_SHOP }, SHOP),
  });
  for (const c of invalid) {
    it(`${c.name} → 401, nothing changed`, async () => {
      const before = counts(SHOP);
      expect(before.products).toBe(5);
      const res = await c.send();
      expect(res.status).toBe(401);
      expect(counts(SHOP)).toEqual(before);
    });
  }
});

describe('product webhooks', () => {
  it('products/update resyncs that product from the Admin API', async () => {
    f.fake.products.find((p) => p.id === 102)!.productType = 'Skirts';
    f.fake.products.find((p) => p.id === 102)!.title = 'Wide Denim Skirt';
    const res = await deliver('products/update', { id: 102, admin_graphql_api_id: 'gid://shopify/Product/102', title: 'Wide Denim Skirt' });
    expect(res.status).toBe(200);
    expect(await f.app.services.products.get(SHOP, 'gid://shopify/Product/102')).toMatchObject({ title: 'Wide Denim Skirt', autoCategory: 'lower' });
  });

  it('products/create adds the product, products/delete removes it', async () => {
    f.fake.products.push({ id: 106, handle: 'knit-cardigan', title: 'Knit Cardigan', productType: 'Cardigans', tags: ['cardigan'], description: '' });
    expect((await deliver('products/create', { id: 106, admin_graphql_api_id: 'gid://shopify/Product/106' })).status).toBe(200);
    expect((await f.app.services.products.get(SHOP, 'gid://shopify/Product/106'))?.autoCategory).toBe('upper');
    expect((await deliver('products/delete', { id: 106 })).status).toBe(200);
    expect(await f.app.services.products.get(SHOP, 'gid://shopify/Product/106')).toBeUndefined();
    expect(counts(OTHER_SHOP).products).toBe(5);
  });
});

describe('signed deliveries the app must refuse', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const bodies: { name: string; raw: string }[] = [
    { name: '{}', raw: '{}' },
    { name: 'null', raw: 'null' },
    { name: '[]', raw: '[]' },
    { name: 'deep nesting in every field a topic reads', raw: `{"id":${deep(5_000)},"shop_domain":${deep(5_000)},"myshopify_domain":${deep(5_000)},"customer":{"id":${deep(5_000)}}}` },
    { name: 'an array nested 100000 deep', raw: deep(100_000) },
  ];
  const topics = ['customers/redact', 'customers/data_request', 'shop/redact', 'app/uninstalled', 'products/update', 'products/delete'];
  for (const body of bodies) {
    it(`a body of ${body.name} → 400 on every topic, nothing changed, the app keeps serving`, async () => {
      const before = counts(SHOP);
      for (const topic of topics) {
        const res = await f.fake.deliverWebhook(f.app.url, topic, SHOP, undefined, { rawBody: body.raw });
        expect(res.status, topic).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
      }
      expect(counts(SHOP)).toEqual(before);
      expect((await fetch(`${f.app.url}/healthz`)).status).toBe(200);
      expect(f.app.logs.join('')).not.toContain('unhandled error');
    });
  }

  it('the same delivery twice (one X-Shopify-Webhook-Id) is handled once', async () => {
    const resyncs = () => f.fake.graphqlLog.filter((l) => l.operation === 'ProductById').length;
    const before = resyncs();
    const send = () => f.fake.deliverWebhook(f.app.url, 'products/update', SHOP, { id: 101, admin_graphql_api_id: 'gid://shopify/Product/101' }, { webhookId: 'delivery-once' });
    const first = await send();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ handled: true });
    const again = await send();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ handled: false, duplicate: true });
    expect(resyncs()).toBe(before + 1);
  });

  it('a delivery triggered years ago is refused (400) and deletes nothing', async () => {
    const before = counts(SHOP);
    const res = await f.fake.deliverWebhook(f.app.url, 'shop/redact', SHOP, { shop_id: 1, shop_domain: SHOP }, { triggeredAt: '2021-03-01T10:00:00.000Z' });
    expect(res.status).toBe(400);
    expect(counts(SHOP)).toEqual(before);
  });

  it('a 3 MB delivery → 413, nothing changed', async () => {
    const before = counts(SHOP);
    const res = await deliver('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 222 }, padding: 'x'.repeat(3 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(counts(SHOP)).toEqual(before);
  });
});

describe('compliance webhooks', () => {
  let aliceJobs: string[];
  let bobJob: string;
  let otherShopJob: string;

  beforeAll(async () => {
    aliceJobs = [await finishedTryOn(SHOP, '111'), await finishedTryOn(SHOP, '111')];
    bobJob = await finishedTryOn(SHOP, '222');
    otherShopJob = await finishedTryOn(OTHER_SHOP, '111');
  });

  it('customers/data_request reports what is held for that customer only', async () => {
    const res = await deliver('customers/data_request', { shop_id: 1, shop_domain: SHOP, orders_requested: [], customer: { id: 111, email: 'alice@example.com', phone: null }, data_request: { id: 9 } });
    expect(res.status).toBe(200);
    const { outcome } = (await res.json()) as { outcome: { customerId: string; retentionHours: number; tryOns: { jobId: string; imagesHeld: string[] }[] } };
    expect(outcome.customerId).toBe('111');
    expect(outcome.retentionHours).toBe(24);
    expect(outcome.tryOns.map((t) => t.jobId).sort()).toEqual(aliceJobs.map(jobIdOf).sort());
    expect(outcome.tryOns.every((t) => t.imagesHeld.join() === 'photo,result')).toBe(true);
    expect(f.app.logs.join('')).not.toContain('alice@example.com');
  });

  it("customers/redact deletes that customer's photos and results in that shop, nothing else", async () => {
    const res = await deliver('customers/redact', { shop_id: 1, shop_domain: SHOP, customer: { id: 111, email: 'alice@example.com', phone: null }, orders_to_redact: [] });
    expect(res.status).toBe(200);
    for (const handle of aliceJobs) {
      expect(await f.app.services.jobs.get(jobIdOf(handle))).toBeUndefined();
      expect(await storedImage(f.app.services, handle, 'photo')).toBeUndefined();
      expect(await storedImage(f.app.services, handle, 'result')).toBeUndefined();
      expect((await fetch(`${f.app.url}/proxy/tryon/${handle}/result?${f.fake.proxyQuery(SHOP, { logged_in_customer_id: '111' })}`)).status).toBe(404);
    }
    expect(await storedImage(f.app.services, bobJob, 'result')).toBeDefined();
    expect(await storedImage(f.app.services, otherShopJob, 'photo')).toBeDefined();
  });

  it('app/uninstalled deletes the sessions and stops running jobs', async () => {
    let cancelled = false;
    inference.script = runUntilCancelled(() => (cancelled = true));
    const running = await tryOn(OTHER_SHOP, '333');
    await expect.poll(() => inference.received.length > 0 && f.app.services.tryOns.get(jobIdOf(running)) !== undefined).toBe(true);
    const res = await deliver('app/uninstalled', { id: 2, name: 'Other store', domain: 'shop.example', myshopify_domain: OTHER_SHOP }, OTHER_SHOP);
    expect(res.status).toBe(200);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect(counts(OTHER_SHOP).sessions).toBe(0);
    expect(counts(SHOP).sessions).toBe(1);
    inference.script = succeed(1);
  });

  it('shop/redact deletes everything of that shop and nothing of another', async () => {
    const before = counts(OTHER_SHOP);
    expect(before.jobs).toBeGreaterThan(0);
    expect(counts(SHOP).jobs).toBeGreaterThan(0);
    const res = await deliver('shop/redact', { shop_id: 1, shop_domain: SHOP });
    expect(res.status).toBe(200);
    expect(counts(SHOP)).toEqual({ sessions: 0, products: 0, jobs: 0, images: 0, usage: 0, trainingRuns: 0 });
    expect(counts(OTHER_SHOP)).toEqual(before);
  });
});
