// The merchant admin in Shopify mode, the embedded-app way: App Bridge session tokens (HS256 with the app secret,
// for the app, one shop) sent as `Authorization: Bearer`, token exchange for the shop's offline access token on
// first use (Shopify-managed install), against the local fake Shopify. Then the admin's functions through its API
// (product switches and category overrides, catalog sync, a fine-tuning run over a real gRPC Train stream, usage),
// and the page's own script in Chromium getting its token from App Bridge.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_FILE, catalogLineSchema } from '@fitting-room/proto';
import { readCatalogExportDataset } from '@fitting-room/server/training';
import { APP_BRIDGE_URL } from '../src/views/admin-view.js';
import { launchChromium } from './support/chromium.js';
import { OFFLINE_TOKEN_TYPE } from './support/fake-shopify.js';
import { API_KEY, SHOP, startInstalledShop, type InstalledShop, type ShopifyFixture } from './support/shopify-fixture.js';

const NEW_SHOP = 'brand-new.myshopify.com';
const now = () => Math.floor(Date.now() / 1000);

let shop: InstalledShop;
let f: ShopifyFixture;
const trainRequests: { dataset_path: string; output_name: string; steps: number }[] = [];

beforeAll(async () => {
  shop = await startInstalledShop((i) => {
    i.train = async (req, call) => {
      trainRequests.push({ dataset_path: req.dataset_path, output_name: req.output_name, steps: req.steps });
      call.write({ queued: { position: 0, job_id: 't1' } });
      for (let step = 1; step <= 3; step++) call.write({ progress: { step, total_steps: 3, loss: 0.5 / step, learning_rate: 1e-4 } });
      call.write({ done: { model_name: req.output_name, steps: 3, final_loss: 0.16 } });
    };
  });
  ({ f } = shop);
});
afterAll(() => shop?.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const api = (pathName: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${f.app.url}/admin/api${pathName}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? bearer(token) : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });

interface Overview {
  shop: string;
  products: { productId: string; title: string; category: string; autoCategory: string; categoryOverride: string | null; tryOnEnabled: boolean }[];
  runs: { status: string; progress: number; message: string }[];
  usage: { day: string; tryons: number }[];
}

describe('admin API access with App Bridge session tokens', () => {
  const cases: { name: string; token: () => string | undefined; url?: (t: string) => string; status: number }[] = [
    { name: 'a valid token', token: () => f.fake.sessionToken(SHOP), status: 200 },
    { name: 'an expired token', token: () => f.fake.sessionToken(SHOP, { exp: now() - 60, nbf: now() - 120, iat: now() - 120 }), status: 401 },
    { name: 'a token not valid yet', token: () => f.fake.sessionToken(SHOP, { nbf: now() + 300 }), status: 401 },
    { name: "a token for another app (wrong audience)", token: () => f.fake.sessionToken(SHOP, { aud: 'another-apps-key' }), status: 401 },
    { name: 'a token signed with another secret', token: () => f.fake.sessionToken(SHOP, {}, 'not-the-app-secret'), status: 401 },
    { name: "a token whose issuer is another shop's admin (wrong shop)", token: () => f.fake.sessionToken(SHOP, { iss: 'https://other-shop.myshopify.com/admin' }), status: 401 },
    { name: 'a token for a destination that is not a shop', token: () => f.fake.sessionToken('evil.example.com'), status: 401 },
    { name: 'no token', token: () => undefined, status: 401 },
    { name: 'a valid token in the URL instead of the header', token: () => undefined, url: (t) => `?id_token=${t}&token=${t}`, status: 401 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const token = c.token();
      const inUrl = f.fake.sessionToken(SHOP);
      const res = c.url ? await fetch(`${f.app.url}/admin/api/overview${c.url(inUrl)}`) : await api('/overview', token);
      expect(res.status).toBe(c.status);
      if (c.status === 200) expect(((await res.json()) as Overview).shop).toBe(SHOP);
      else expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      // Tokens never reach a log line (the library's own error message quotes them).
      for (const t of [token, inUrl]) if (t) expect(f.app.logs.join('')).not.toContain(t.split('.')[2]);
    });
  }

  it('an expired token tells App Bridge to fetch a fresh one and retry', async () => {
    const res = await api('/overview', f.fake.sessionToken(SHOP, { exp: now() - 60, nbf: now() - 120 }));
    expect(res.headers.get('x-shopify-retry-invalid-session-request')).toBe('1');
  });
});

describe('managed install: token exchange on first use', () => {
  it('trades the session token for an offline access token, stores the session and syncs the catalog', async () => {
    expect(await f.app.services.sessions.loadSession(`offline_${NEW_SHOP}`)).toBeUndefined();
    const res = await api('/overview', f.fake.sessionToken(NEW_SHOP));
    expect(res.status).toBe(200);
    expect(f.fake.tokenExchanges).toEqual([{ shop: NEW_SHOP, requestedTokenType: OFFLINE_TOKEN_TYPE }]);
    const session = await f.app.services.sessions.loadSession(`offline_${NEW_SHOP}`);
    expect(session?.accessToken && f.fake.tokens.get(session.accessToken)).toBe(NEW_SHOP);
    await expect.poll(async () => (await f.app.services.products.list(NEW_SHOP)).length, { timeout: 10_000 }).toBe(5);
    // Installed now: the next request does not exchange again.
    expect((await api('/overview', f.fake.sessionToken(NEW_SHOP))).status).toBe(200);
    expect(f.fake.tokenExchanges).toHaveLength(1);
  });

  it('a token Shopify refuses to exchange (signed for another app) stores nothing', async () => {
    const res = await api('/overview', f.fake.sessionToken('refused-shop.myshopify.com', { aud: 'another-apps-key' }));
    expect(res.status).toBe(401);
    expect(await f.app.services.sessions.loadSession('offline_refused-shop.myshopify.com')).toBeUndefined();
  });
});

describe('admin functions', () => {
  const token = () => f.fake.sessionToken(SHOP);

  it('lists products with their category and switches', async () => {
    const overview = (await (await api('/overview', token())).json()) as Overview;
    expect(overview.products.map((p) => p.title).sort()).toEqual(['Leather Belt', 'Linen Shirt', 'Rain Coat', 'Wide Jeans', 'Wrap Dress']);
    expect(overview.products.find((p) => p.title === 'Leather Belt')).toMatchObject({ autoCategory: 'not_wearable', categoryOverride: null, tryOnEnabled: true });
  });

  it('starts a catalog sync', async () => {
    f.fake.products.push({ id: 150, handle: 'silk-scarf-top', title: 'Silk Top', productType: 'Tops', tags: [], description: '' });
    const res = await api('/sync', token(), { method: 'POST' });
    expect(res.status).toBe(202);
    await expect.poll(async () => (await f.app.services.products.get(SHOP, 'gid://shopify/Product/150'))?.autoCategory).toBe('upper');
    f.fake.products.pop();
    await f.app.services.catalog?.syncShop(SHOP);
  });

  it('saves a category override and the try-on switch; refuses a bad category and a bad token', async () => {
    const belt = 'gid://shopify/Product/104';
    const res = await api('/products', token(), { method: 'POST', body: { productId: belt, category: 'upper', enabled: false } });
    expect(res.status).toBe(200);
    expect(await f.app.services.products.get(SHOP, belt)).toMatchObject({ categoryOverride: 'upper', tryOnEnabled: false });
    await api('/products', token(), { method: 'POST', body: { productId: belt, category: '', enabled: true } });
    expect(await f.app.services.products.get(SHOP, belt)).toMatchObject({ categoryOverride: null, tryOnEnabled: true });

    const bad = await api('/products', token(), { method: 'POST', body: { productId: belt, category: 'hat', enabled: true } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('"hat"');
    expect((await api('/products', f.fake.sessionToken(SHOP, {}, 'forged'), { method: 'POST', body: { productId: belt, category: 'dress', enabled: true } })).status).toBe(401);
    expect((await f.app.services.products.get(SHOP, belt))?.categoryOverride).toBeNull();
  });

  it('runs a fine-tuning job on the exported catalog and shows its progress', async () => {
    expect((await api('/fine-tune', token(), { method: 'POST' })).status).toBe(202);
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
    expect(await readCatalogExportDataset(dir, warnings)).toHaveLength(4);
    expect(warnings).toEqual([]);

    const overview = (await (await api('/overview', token())).json()) as Overview;
    expect(overview.runs[0]).toMatchObject({ status: 'succeeded', progress: 1 });
  });
});

describe('the embedded admin page', () => {
  const openPage = () => fetch(`${f.app.url}/admin?embedded=1&shop=${SHOP}&host=${Buffer.from(`admin.shopify.com/store/${SHOP.split('.')[0]}`).toString('base64url')}`);

  it('loads App Bridge first with the API key, may be framed only by the shop admin, and holds no token', async () => {
    const res = await openPage();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual([APP_BRIDGE_URL, '/admin/admin.js']);
    expect(html.indexOf(`<meta name="shopify-api-key" content="${API_KEY}">`)).toBeLessThan(html.indexOf(APP_BRIDGE_URL));
    expect(html).not.toMatch(/token|hmac/i);
  });

  describe('its script in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('gets the session token from App Bridge (shopify.idToken) and sends it as a Bearer header', async () => {
      const page = await browser.newPage();
      const token = f.fake.sessionToken(SHOP);
      // App Bridge as Shopify's CDN serves it inside the admin: a global `shopify` whose idToken() gives the token.
      await page.route(APP_BRIDGE_URL, (route) => route.fulfill({ contentType: 'text/javascript', body: `window.shopify = { idToken: async () => ${JSON.stringify(token)} };` }));
      const authorizations: (string | undefined)[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/admin/api/')) authorizations.push(r.headers().authorization);
      });
      await page.goto(`${f.app.url}/admin?embedded=1&shop=${SHOP}`);
      await page.getByRole('cell', { name: 'Linen Shirt' }).waitFor();
      expect(authorizations.length).toBeGreaterThan(0);
      expect(new Set(authorizations)).toEqual(new Set([`Bearer ${token}`]));

      // A change made on the page goes through the API with the token too.
      const row = page.getByRole('row').filter({ hasText: 'Rain Coat' });
      await row.getByRole('combobox').selectOption('dress');
      await row.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText('Product saved.').waitFor();
      expect((await f.app.services.products.get(SHOP, 'gid://shopify/Product/105'))?.categoryOverride).toBe('dress');
      expect(new Set(authorizations)).toEqual(new Set([`Bearer ${token}`]));
      await page.close();
    });
  });
});
