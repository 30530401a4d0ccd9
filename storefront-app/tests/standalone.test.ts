// Standalone mode (no Shopify credentials): configuration, the demo store pages, and startStorefront itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startStorefront } from '../src/index.js';
import { pino } from 'pino';
import { startTestApp } from './support/test-app.js';

describe('loadConfig', () => {
  it('defaults to standalone mode, loopback port 3000, localhost:50051, a SQLite file under ./data, 24 h', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({ port: 3000, bindHost: '127.0.0.1', tryOnQuality: 'fast', grpcAddress: 'localhost:50051', databaseUrl: 'sqlite:/srv/app/data/storefront.sqlite', photoTtlMs: 24 * 3_600_000 });
    expect(c.shopify).toBeUndefined();
  });

  it('reads the Shopify CLI names', () => {
    const c = loadConfig({ SHOPIFY_API_KEY: 'k', SHOPIFY_API_SECRET: 's', SCOPES: 'read_products, write_products', HOST: 'tryon.example.com', PORT: '8081', TRYON_GRPC_ADDRESS: 'dns:///inference:50051', TRYON_API_KEY: 'x', DATABASE_URL: 'postgres://u@db/tryon', PHOTO_TTL_HOURS: '0.5' });
    expect(c).toMatchObject({
      port: 8081,
      shopify: { apiKey: 'k', apiSecret: 's', scopes: ['read_products', 'write_products'], appUrl: 'https://tryon.example.com' },
      grpcAddress: 'dns:///inference:50051',
      grpcApiKey: 'x',
      databaseUrl: 'postgres://u@db/tryon',
      photoTtlMs: 1_800_000,
    });
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PHOTO_TTL_HOURS: '-1' }, /PHOTO_TTL_HOURS must be positive/],
    [{ SHOPIFY_API_KEY: 'k' }, /must be set together/],
  ];
  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)}`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });
  }
});

describe('startStorefront in standalone mode', () => {
  let dir: string;
  let running: Awaited<ReturnType<typeof startStorefront>>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-standalone-'));
    const config = loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'db', 'app.sqlite')}` }, dir);
    running = await startStorefront(config, { host: '127.0.0.1', log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await running.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a free port and creates the SQLite file', async () => {
    expect(running.port).toBeGreaterThan(0);
    expect(running.url).toBe(`http://localhost:${running.port}`);
    expect(fs.existsSync(path.join(dir, 'db', 'app.sqlite'))).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${running.port}/healthz`)).json()).toEqual({ ok: true, mode: 'standalone' });
  });

  it('serves the demo store: product grid, product pages with the widget, drawn pictures', async () => {
    const base = `http://127.0.0.1:${running.port}`;
    const home = await (await fetch(`${base}/`)).text();
    const handles = [...home.matchAll(/href="\/products\/([\w-]+)"/g)].map((m) => m[1]);
    expect(handles).toEqual(expect.arrayContaining(['coral-crew-tee', 'straight-leg-jeans', 'linen-midi-dress', 'canvas-tote']));

    const page = await (await fetch(`${base}/products/coral-crew-tee`)).text();
    expect(page).toContain('<h1>Coral Crew Tee</h1>');
    expect(await (await fetch(`${base}/products/canvas-tote`)).text()).toContain('Try-on is not available');
    expect((await fetch(`${base}/products/nope`)).status).toBe(404);
    // The privacy text the widget's consent box links to states the retention time.
    expect(await (await fetch(`${base}/privacy`)).text()).toContain('deleted after 24 hours');

    const picture = await fetch(`${base}/demo/images/coral-crew-tee.png`);
    expect(picture.headers.get('content-type')).toBe('image/png');
    const { data, info } = await sharp(Buffer.from(await picture.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([512, 512]);
    // White background in the corner, the coral garment in the middle.
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(at(5, 5)).toEqual([255, 255, 255]);
    expect(at(256, 300)).toEqual([0xf2, 0x6b, 0x5b]);
  });

  it('puts the widget on wearable products when its bundle is built, and says how to build it otherwise', async () => {
    const bundle = path.join(dir, 'tryon-widget.js');
    fs.writeFileSync(bundle, 'export class TryOnWidget {}\n');
    for (const [widgetBundle, built] of [[bundle, true], [path.join(dir, 'missing.js'), false]] as const) {
      const app = await startTestApp({ deps: { widgetBundle } });
      try {
        const page = await (await fetch(`${app.url}/products/coral-crew-tee`)).text();
        const script = await fetch(`${app.url}/widget/tryon-widget.js`);
        if (built) {
          expect(page).toContain(
            '<tryon-widget product-id="demo-coral-crew-tee" endpoint="/proxy" product-title="Coral Crew Tee" product-image="/demo/images/coral-crew-tee.png" privacy-url="/privacy">',
          );
          expect(page).toContain('<script type="module" src="/widget/tryon-widget.js">');
          expect(script.status).toBe(200);
          expect(script.headers.get('content-type')).toContain('javascript');
          expect(await script.text()).toBe('export class TryOnWidget {}\n');
        } else {
          expect(page).not.toContain('<tryon-widget');
          expect(page).toContain('npm run widget:build');
          expect(script.status).toBe(404);
        }
      } finally {
        await app.close();
      }
    }
  });

  it('has no Shopify routes without credentials', async () => {
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/webhooks`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${base}/auth?shop=x.myshopify.com`)).status).toBe(404);
    // The admin serves the demo shop to this machine without credentials (admin-standalone.test.ts: only to it).
    expect((await fetch(`${base}/admin`)).status).toBe(200);
    expect(await (await fetch(`${base}/admin/api/overview`)).json()).toMatchObject({ shop: 'demo.local' });
  });
});
