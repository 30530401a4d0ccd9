// Standard security headers (helmet) on every kind of response: HTML pages, scripts, JSON, event streams,
// product pictures and shoppers' result images. Nothing may be framed, except the embedded admin by the Shopify
// admin (admin-page.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryOnResponse } from '@fitting-room/proto';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let inference: ScriptedInference;
let app: TestApp;
let resultUrl: string;

beforeAll(async () => {
  inference = await startScriptedInference(succeed(1));
  app = await startTestApp({ grpcAddress: inference.address });
  const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-coral-crew-tee', consent: 'true' }) });
  const job = startTryOnResponse.parse(await res.json());
  await readSse(`${app.url}${job.eventsUrl}`);
  resultUrl = job.resultUrl;
});
afterAll(async () => {
  await app.close();
  await inference.stop();
});

const directives = (csp: string | null) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));

describe('security headers', () => {
  const RESULT = "a shopper's result image";
  const paths: [string, string][] = [
    ['the demo store', '/'],
    ['a product page', '/products/coral-crew-tee'],
    ['the privacy notice', '/privacy'],
    ['the standalone admin page', '/admin'],
    ['the admin script', '/admin/admin.js'],
    ['the admin API', '/admin/api/overview'],
    ['a product picture', '/demo/images/coral-crew-tee.png'],
    [RESULT, ''],
    ['an error', '/nothing-here'],
    ['the health check', '/healthz'],
  ];
  for (const [name, path] of paths) {
    it(`${name}: CSP without framing, nosniff, no referrer`, async () => {
      const res = await fetch(`${app.url}${name === RESULT ? resultUrl : path}`);
      expect(res.status).toBeLessThan(500);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    });
  }

  it("the result image stays private to the shopper's browser", async () => {
    const res = await fetch(`${app.url}${resultUrl}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});
