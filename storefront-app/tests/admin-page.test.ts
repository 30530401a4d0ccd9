// The merchant admin page: opened from Shopify's admin (signed query), product switches and category overrides,
// a fine-tuning run on the exported catalog (through a real gRPC Train stream), usage counts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_FILE, catalogLineSchema } from '@fitting-room/proto';
import { readCatalogExportDataset } from '@fitting-room/server/training';
import { startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { SHOP, startShopifyFixture, type ShopifyFixture } from './support/shopify-fixture.js';

let f: ShopifyFixture;
let inference: ScriptedInference;
const trainRequests: { dataset_path: string; output_name: string; steps: number }[] = [];

beforeAll(async () => {
  inference = await startScriptedInference(succeed(1));
  inference.train = async (req, call) => {
    trainRequests.push({ dataset_path: req.dataset_path, output_name: req.output_name, steps: req.steps });
    call.write({ queued: { position: 0, job_id: 't1' } });
    for (let step = 1; step <= 3; step++) call.write({ progress: { step, total_steps: 3, loss: 0.5 / step, learning_rate: 1e-4 } });
    call.write({ done: { model_name: req.output_name, steps: 3, final_loss: 0.16 } });
  };
  f = await startShopifyFixture({ grpcAddress: inference.address });
  await f.install();
  await f.app.services.catalog?.syncShop(SHOP);
});
afterAll(async () => {
  await f.close();
  await inference.stop();
});

const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function openAdmin(): Promise<string> {
  const res = await fetch(`${f.app.url}/admin?${f.fake.adminQuery(SHOP)}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toBe(`frame-ancestors https://${SHOP} https://admin.shopify.com;`);
  return res.text();
}

const post = (pathName: string, fields: Record<string, string>) =>
  fetch(`${f.app.url}${pathName}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

describe('admin page access', () => {
  const cases: { name: string; query: () => string; status: number }[] = [
    { name: 'signed by Shopify', query: () => f.fake.adminQuery(SHOP).toString(), status: 200 },
    { name: 'forged hmac', query: () => { const q = f.fake.adminQuery(SHOP); q.set('hmac', '0'.repeat(64)); return q.toString(); }, status: 401 },
    { name: 'stale timestamp', query: () => f.fake.adminQuery(SHOP, Math.floor(Date.now() / 1000) - 3600).toString(), status: 401 },
    { name: 'no signature', query: () => `shop=${SHOP}`, status: 401 },
    { name: 'forged page token', query: () => `token=${SHOP}~${Date.now() + 60_000}~${'a'.repeat(64)}`, status: 401 },
    { name: 'a shop without the app installed', query: () => f.fake.adminQuery('new-shop.myshopify.com').toString(), status: 302 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const res = await fetch(`${f.app.url}/admin?${c.query()}`, { redirect: 'manual' });
      expect(res.status).toBe(c.status);
      if (c.status === 302) expect(res.headers.get('location')).toBe('/auth?shop=new-shop.myshopify.com');
    });
  }
});

describe('admin page', () => {
  it('lists products with their category and switches', async () => {
    const html = await openAdmin();
    for (const title of ['Linen Shirt', 'Wide Jeans', 'Wrap Dress', 'Leather Belt', 'Rain Coat']) expect(html).toContain(title);
    expect(html).toContain('auto (not_wearable)');
    expect(tokenOf(html)).toMatch(new RegExp(`^${SHOP}~\\d+~[0-9a-f]{64}$`));
  });

  it('starts a catalog sync', async () => {
    const token = tokenOf(await openAdmin());
    f.fake.products.push({ id: 150, handle: 'silk-scarf-top', title: 'Silk Top', productType: 'Tops', tags: [], description: '' });
    const res = await post('/admin/sync', { token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('notice=Catalog+sync+started');
    await expect.poll(async () => (await f.app.services.products.get(SHOP, 'gid://shopify/Product/150'))?.autoCategory).toBe('upper');
    f.fake.products.pop();
    await f.app.services.catalog?.syncShop(SHOP);
  });

  it('saves a category override and the try-on switch', async () => {
    const token = tokenOf(await openAdmin());
    const res = await post('/admin/products', { token, product_id: 'gid://shopify/Product/104', category: 'upper' });
    expect(res.status).toBe(303);
    expect(await f.app.services.products.get(SHOP, 'gid://shopify/Product/104')).toMatchObject({ categoryOverride: 'upper', tryOnEnabled: false });
    await post('/admin/products', { token, product_id: 'gid://shopify/Product/104', category: '', enabled: 'on' });
    expect(await f.app.services.products.get(SHOP, 'gid://shopify/Product/104')).toMatchObject({ categoryOverride: null, tryOnEnabled: true });

    const bad = await post('/admin/products', { token, product_id: 'gid://shopify/Product/104', category: 'hat' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('"hat"');
    expect((await post('/admin/products', { token: 'nope', product_id: 'gid://shopify/Product/104', category: 'dress' })).status).toBe(401);
    expect((await f.app.services.products.get(SHOP, 'gid://shopify/Product/104'))?.categoryOverride).toBeNull();
  });

  it('runs a fine-tuning job on the exported catalog and shows its progress', async () => {
    const token = tokenOf(await openAdmin());
    expect((await post('/admin/fine-tune', { token })).status).toBe(303);
    await f.app.services.fineTuning.idle();
    const [run] = await f.app.services.trainingRuns.list(SHOP);
    expect(run).toMatchObject({ status: 'succeeded', progress: 1 });
    expect(run.message).toContain(trainRequests[0].output_name);

    // The dataset the server was asked to train on, in the training engineer's format.
    const dir = path.join(f.app.dir, 'datasets', trainRequests[0].dataset_path);
    const lines = fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8').trim().split('\n').map((l) => catalogLineSchema.parse(JSON.parse(l)));
    expect(lines.map((l) => l.title).sort()).toEqual(['Linen Shirt', 'Rain Coat', 'Wide Jeans', 'Wrap Dress']); // not the belt
    expect(lines.find((l) => l.title === 'Wrap Dress')).toMatchObject({ category: 'Apparel > Dresses', tags: ['dress', 'party'], product_type: '' });
    for (const l of lines) expect(fs.readFileSync(path.join(dir, l.image)).subarray(1, 4).toString()).toBe('PNG');
    const warnings: string[] = [];
    const examples = await readCatalogExportDataset(dir, warnings);
    expect(examples).toHaveLength(4);
    expect(warnings).toEqual([]);

    const html = await openAdmin();
    expect(html).toContain('succeeded');
    expect(html).toContain('<progress max="1" value="1">');
  });
});
