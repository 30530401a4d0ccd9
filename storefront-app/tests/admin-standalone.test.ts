// The merchant admin of the standalone demo (no Shopify credentials, so no shop to authenticate against): it
// answers only this machine (loopback peer, loopback Host against DNS rebinding), and what changes anything must
// come from its own page (Origin), so another site cannot change categories or start fine-tuning.
import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let port: string;
const TEE = 'demo-coral-crew-tee';

/** This machine's address on its network: a request to it does not come from loopback. */
function lanAddress(): string {
  const address = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 interface (none found)');
  return address;
}

beforeAll(async () => {
  // Listening on every interface, as a demo in a container would: the admin must still answer only loopback.
  app = await startTestApp({ host: '0.0.0.0' });
  port = new URL(app.url).port;
});
afterAll(async () => app.close());

/** A raw request, so that Host and Origin are exactly what a browser elsewhere would send. */
function request(o: { host?: string; address?: string; method?: string; path: string; headers?: Record<string, string>; body?: unknown }) {
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({
      host: o.address ?? '127.0.0.1', port, method: o.method ?? 'GET', path: o.path,
      headers: { Host: o.host ?? `127.0.0.1:${port}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...o.headers },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const choose = (category: string, headers: Record<string, string>, extra: { host?: string; address?: string } = {}) =>
  request({ ...extra, method: 'POST', path: '/admin/api/products', headers, body: { productId: TEE, category, enabled: true } });

const override = async () => (await app.services.products.get('demo.local', TEE))?.categoryOverride;
const ownOrigin = () => ({ Origin: `http://127.0.0.1:${port}` });

describe('standalone admin', () => {
  it("answers this machine's own page: overview, and changes from its own origin", async () => {
    const overview = await request({ path: '/admin/api/overview' });
    expect(overview.status).toBe(200);
    expect(JSON.parse(overview.body)).toMatchObject({ shop: 'demo.local' });
    expect((await request({ path: '/admin' })).status).toBe(200);
    expect((await choose('dress', ownOrigin())).status).toBe(200);
    expect(await override()).toBe('dress');
    expect((await choose('', { 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect(await override()).toBeNull();
  });

  const refused: { name: string; send: () => ReturnType<typeof request> }[] = [
    { name: 'a form posted from another site (Origin)', send: () => choose('lower', { Origin: 'https://evil.example' }) },
    { name: 'a cross-site request without Origin', send: () => choose('lower', { 'Sec-Fetch-Site': 'cross-site' }) },
    { name: 'a request with neither Origin nor Sec-Fetch-Site', send: () => choose('lower', {}) },
    { name: 'DNS rebinding (a foreign Host on loopback)', send: () => choose('lower', { Origin: 'http://evil.example' }, { host: 'evil.example' }) },
    { name: 'fine-tuning started from another site', send: () => request({ method: 'POST', path: '/admin/api/fine-tune', headers: { Origin: 'https://evil.example' } }) },
    { name: 'the overview read through a foreign Host', send: () => request({ path: '/admin/api/overview', host: `evil.example:${port}` }) },
    { name: 'the overview from another machine', send: () => request({ path: '/admin/api/overview', address: lanAddress(), host: `${lanAddress()}:${port}` }) },
    { name: 'the admin page from another machine', send: () => request({ path: '/admin', address: lanAddress(), host: `${lanAddress()}:${port}` }) },
    { name: "a change from another machine, even with that machine's own Origin", send: () => choose('lower', { Origin: `http://${lanAddress()}:${port}` }, { address: lanAddress(), host: `${lanAddress()}:${port}` }) },
  ];
  for (const c of refused) {
    it(`${c.name} → 403, nothing changed`, async () => {
      const res = await c.send();
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthorized' } });
      expect(await override()).toBeNull();
      expect(await app.services.trainingRuns.list('demo.local')).toEqual([]);
    });
  }

  it('the old form endpoints are gone', async () => {
    for (const path of ['/admin/products', '/admin/fine-tune', '/admin/sync']) {
      expect((await request({ method: 'POST', path, headers: ownOrigin() })).status).toBe(404);
    }
  });

  it('the demo store itself still answers other machines', async () => {
    expect((await request({ path: '/products/coral-crew-tee', address: lanAddress(), host: `${lanAddress()}:${port}` })).status).toBe(200);
  });
});
