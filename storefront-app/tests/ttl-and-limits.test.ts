// Retention: photos and results are deleted by the sweeper once PHOTO_TTL_HOURS has passed. Rate limits per
// shopper and per shop, and the per-shop daily quota.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { startTestApp, type TestApp, type TestAppOptions } from './support/test-app.js';

let inference: ScriptedInference | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  await inference?.stop();
  app = inference = undefined;
});

async function setup(options: TestAppOptions = {}) {
  inference = await startScriptedInference(succeed(1));
  app = await startTestApp({ grpcAddress: inference.address, ...options });
  return app;
}

const upload = (a: TestApp, headers: Record<string, string> = {}) =>
  fetch(`${a.url}/proxy/tryon`, { method: 'POST', headers, body: tryOnForm({ photo: personPhoto(), product_id: 'demo-straight-leg-jeans', consent: 'true' }) });

const imageRows = (dbFile: string) => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM sealed_images').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('photo retention', () => {
  it('PHOTO_TTL_HOURS sets the expiry; the sweeper deletes expired photos and results only', async () => {
    const a = await setup({ env: { PHOTO_TTL_HOURS: '2' } });
    const res = await upload(a);
    const { jobId, eventsUrl, resultUrl } = (await res.json()) as { jobId: string; eventsUrl: string; resultUrl: string };
    await readSse(`${a.url}${eventsUrl}`);
    const job = await a.services.jobs.get(jobIdOf(jobId));
    expect(job && job.expiresAt - job.createdAt).toBe(2 * 3_600_000);
    expect(imageRows(a.dbFile)).toBe(2); // photo + result

    expect(await a.services.sweeper.sweepNow(job!.expiresAt - 1)).toBe(0);
    expect((await fetch(`${a.url}${resultUrl}`)).status).toBe(200);

    expect(await a.services.sweeper.sweepNow(job!.expiresAt)).toBe(1);
    expect(imageRows(a.dbFile)).toBe(0);
    expect(await a.services.jobs.get(jobIdOf(jobId))).toBeUndefined();
    expect((await fetch(`${a.url}${resultUrl}`)).status).toBe(404);
    // Usage counts carry no personal data and stay.
    expect(await a.services.usage.today('demo.local')).toBe(1);
  });

  it('the sweeper runs on its own timer', async () => {
    const a = await setup({ config: { photoTtlMs: 1 }, deps: { sweepIntervalMs: 50 } });
    const { jobId } = (await (await upload(a)).json()) as { jobId: string };
    await expect.poll(async () => a.services.jobs.get(jobIdOf(jobId)), { timeout: 5_000 }).toBeUndefined();
    expect(imageRows(a.dbFile)).toBe(0);
  });
});

describe('limits', () => {
  it('rate-limits one shopper per minute, with Retry-After', async () => {
    const a = await setup({ config: { rateLimits: { perShopperPerMinute: 2, perShopPerMinute: 100 } } });
    expect((await upload(a)).status).toBe(202);
    expect((await upload(a)).status).toBe(202);
    const limited = await upload(a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('enforces the daily quota per shop', async () => {
    const a = await setup({ config: { dailyQuotaPerShop: 1 } });
    expect((await upload(a)).status).toBe(202);
    const over = await upload(a);
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
