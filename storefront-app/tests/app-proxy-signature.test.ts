// App proxy requests must carry Shopify's signature: valid → through, forged / stale / missing → 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personPhoto } from './support/images.js';
import { tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import type { ScriptedInference } from './support/scripted-inference.js';
import { SHOP, startInstalledShop, type InstalledShop, type ShopifyFixture } from './support/shopify-fixture.js';

let shop: InstalledShop;
let f: ShopifyFixture;
let inference: ScriptedInference;

beforeAll(async () => {
  shop = await startInstalledShop();
  ({ f, inference } = shop);
});
afterAll(() => shop?.close());

const unknownJob = '/proxy/tryon/0123456789abcdef0123456789abcdef/result';
const now = () => Math.floor(Date.now() / 1000);

const cases: { name: string; query: () => string; status: number }[] = [
  { name: 'valid signature', query: () => f.fake.proxyQuery(SHOP).toString(), status: 404 /* reaches the route: unknown job */ },
  { name: 'valid, with a logged-in customer and repeated params', query: () => {
    const q = f.fake.proxyQuery(SHOP, { logged_in_customer_id: '777', color: ['red', 'blue'] });
    expect(q.getAll('color')).toEqual(['red', 'blue']);
    return q.toString();
  }, status: 404 },
  { name: 'timestamp 80 s old (within 90 s)', query: () => f.fake.proxyQuery(SHOP, {}, now() - 80).toString(), status: 404 },
  { name: 'stale: timestamp 10 minutes old', query: () => f.fake.proxyQuery(SHOP, {}, now() - 600).toString(), status: 401 },
  { name: 'from the future: 5 minutes ahead', query: () => f.fake.proxyQuery(SHOP, {}, now() + 300).toString(), status: 401 },
  { name: 'forged: signature of another secret', query: () => {
    const q = f.fake.proxyQuery(SHOP);
    q.set('signature', 'a'.repeat(64));
    return q.toString();
  }, status: 401 },
  { name: 'tampered: shop changed after signing', query: () => {
    const q = f.fake.proxyQuery(SHOP);
    q.set('shop', 'other-shop.myshopify.com');
    return q.toString();
  }, status: 401 },
  { name: 'tampered: customer id added after signing', query: () => `${f.fake.proxyQuery(SHOP).toString()}&logged_in_customer_id=1`, status: 401 },
  { name: 'missing signature', query: () => `shop=${SHOP}&timestamp=${now()}`, status: 401 },
  { name: 'signed without a timestamp', query: () => f.fake.proxyQuery(SHOP, {}, null).toString(), status: 401 },
  { name: 'signed with a timestamp that is not a number', query: () => f.fake.proxyQuery(SHOP, { timestamp: 'soon' }, null).toString(), status: 401 },
  { name: 'signed with two timestamps', query: () => f.fake.proxyQuery(SHOP, { timestamp: [String(now()), String(now() + 3600)] }, null).toString(), status: 401 },
  { name: 'valid: names whose byte order is not their locale order, sorted as Shopify sorts them', query: () => {
    const q = f.fake.proxyQuery(SHOP, { Zeta: '1', alpha: '2', _utm: '3' });
    return q.toString();
  }, status: 404 },
  { name: 'no query at all', query: () => '', status: 401 },
];

describe('app proxy signature', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const res = await fetch(`${f.app.url}${unknownJob}?${c.query()}`);
      expect(res.status).toBe(c.status);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe(c.status === 401 ? 'unauthorized' : 'job_not_found');
    });
  }

  it('a signed upload starts a job for the signing shop and customer; unsigned changes nothing', async () => {
    const form = () => tryOnForm({ photo: personPhoto(), product_id: '101', consent: 'true' });
    const forged = await fetch(`${f.app.url}/proxy/tryon?shop=${SHOP}&timestamp=${now()}&signature=${'0'.repeat(64)}`, { method: 'POST', body: form() });
    expect(forged.status).toBe(401);
    expect(inference.received.length).toBe(0);

    const q = f.fake.proxyQuery(SHOP, { logged_in_customer_id: '4242' });
    const res = await fetch(`${f.app.url}/proxy/tryon?${q}`, { method: 'POST', body: form() });
    expect(res.status).toBe(202);
    const { jobId, resultUrl } = (await res.json()) as { jobId: string; resultUrl: string };
    // URLs for the browser go through the store's proxy path, not the app's.
    expect(resultUrl).toBe(`/apps/tryon/tryon/${jobId}/result`);
    const job = await f.app.services.jobs.get(jobIdOf(jobId));
    expect(job).toMatchObject({ shop: SHOP, customerId: '4242', productId: 'gid://shopify/Product/101' });

    // The same job through another shop's (validly signed) proxy is not found.
    const other = await fetch(`${f.app.url}/proxy/tryon/${jobId}/result?${f.fake.proxyQuery('another.myshopify.com')}`);
    expect(other.status).toBe(404);
  });
});
