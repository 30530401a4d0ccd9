// The OAuth install against the fake Shopify: /auth → Shopify's authorize → /auth/callback with a signed
// query → access-token exchange → offline session in the SQLite file → first catalog sync.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, SHOP, startShopifyFixture, type ShopifyFixture } from './support/shopify-fixture.js';

const BROWSER = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' };

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

const sessionRows = (dbFile: string) => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT id, shop FROM shopify_sessions').all() as { id: string; shop: string }[];
  } finally {
    db.close();
  }
};

let f: ShopifyFixture;
beforeEach(async () => {
  f = await startShopifyFixture();
});
afterEach(async () => f.close());

async function beginInstall(shop = SHOP) {
  const begin = await fetch(`${f.app.url}/auth?shop=${shop}`, { redirect: 'manual', headers: BROWSER });
  expect(begin.status).toBe(302);
  const authorize = new URL(begin.headers.get('location') ?? '');
  return { authorize, cookies: cookiesOf(begin) };
}

describe('OAuth install', () => {
  it('installs: stores an offline session in the SQLite file and syncs the catalog', async () => {
    const { authorize, cookies } = await beginInstall();
    expect(authorize.origin).toBe(`https://${SHOP}`);
    expect(authorize.pathname).toBe('/admin/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(API_KEY);
    expect(authorize.searchParams.get('scope')).toBe('read_products');
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://tryon-app.example.com/auth/callback');
    expect(cookies).toContain('shopify_app_state=');

    // The merchant approves on Shopify, which redirects back to the app with a signed query.
    const approved = await f.fake.fetch(authorize.toString(), { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location') ?? '');
    expect(callback.pathname, callback.toString()).toBe('/auth/callback');
    const done = await fetch(`${f.app.url}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { ...BROWSER, Cookie: cookies } });
    expect(done.status, await done.clone().text()).toBe(302);

    expect(sessionRows(f.app.dbFile)).toEqual([{ id: `offline_${SHOP}`, shop: SHOP }]);
    const session = await f.app.services.sessions.loadSession(`offline_${SHOP}`);
    expect(session?.accessToken && f.fake.tokens.get(session.accessToken)).toBe(SHOP);
    expect(session?.isOnline).toBe(false);
    await expect.poll(async () => (await f.app.services.products.list(SHOP)).length, { timeout: 10_000 }).toBe(5);
  });

  const refusals: { name: string; tamper: (q: URLSearchParams) => void; cookies?: boolean; status: number }[] = [
    { name: 'forged HMAC', tamper: (q) => q.set('hmac', 'f'.repeat(64)), status: 401 },
    { name: 'code changed after signing', tamper: (q) => q.set('code', 'stolen-code'), status: 401 },
    { name: 'state that does not match the cookie', tamper: (q) => q.set('state', 'other-state'), status: 401 },
    { name: 'no state cookie (another browser)', tamper: () => undefined, cookies: false, status: 401 },
  ];
  for (const r of refusals) {
    it(`refuses a callback with ${r.name}; no session is stored`, async () => {
      const { authorize, cookies } = await beginInstall();
      const approved = await f.fake.fetch(authorize.toString(), { redirect: 'manual' });
      const callback = new URL(approved.headers.get('location') ?? '');
      r.tamper(callback.searchParams);
      const res = await fetch(`${f.app.url}/auth/callback?${callback.searchParams}`, { redirect: 'manual', headers: { ...BROWSER, ...(r.cookies === false ? {} : { Cookie: cookies }) } });
      expect(res.status).toBe(r.status);
      expect(sessionRows(f.app.dbFile)).toEqual([]);
      expect(f.fake.tokens.size).toBe(0);
    });
  }

  it('rejects a shop that is not a myshopify.com domain', async () => {
    const res = await fetch(`${f.app.url}/auth?shop=evil.example.com`, { redirect: 'manual', headers: BROWSER });
    expect(res.status).toBe(400);
  });
});
