// "Deleted" means unrecoverable: after a photo and its result are deleted (retention TTL, the shopper's DELETE,
// a customers/redact webhook), neither their bytes nor their job's row can be found anywhere in the app's files —
// the SQLite database, its -wal and -shm files — by grepping the raw bytes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryOnResponse } from '@fitting-room/proto';
import { preparePhoto } from '../src/photos/prepare-photo.js';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { resultPng, startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { SHOP, startShopifyFixture, type ShopifyFixture } from './support/shopify-fixture.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every file under `dir` (database, -wal, -shm, anything else the app wrote) that contains `marker`. */
function filesContaining(dir: string, marker: Buffer): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => fs.readFileSync(file).includes(marker));
}

/** Slices from the middle of an image: bytes no other content would contain. */
const markersOf = (image: Buffer) => [image.subarray(image.length / 2, image.length / 2 + 48), image.subarray(image.length - 200, image.length - 152)];

let inference: ScriptedInference;
let photoMarkers: Buffer[];
let resultMarkers: Buffer[];

beforeAll(async () => {
  inference = await startScriptedInference(succeed(1));
  // What the app stores is the cleaned photo (preparePhoto is deterministic) and the server's result.
  photoMarkers = markersOf((await preparePhoto(personPhoto())).bytes);
  resultMarkers = markersOf(await resultPng());
});
afterAll(async () => inference.stop());

/** A finished try-on; its job row is in the database files (the id is the marker for the row). */
async function finishedTryOn(url: string, query = '', dir: string) {
  const res = await fetch(`${url}/proxy/tryon${query}`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: query ? '101' : 'demo-coral-crew-tee', consent: 'true' }) });
  expect(res.status).toBe(202);
  const job = startTryOnResponse.parse(await res.json());
  expect((await readSse(`${url}/proxy/tryon/${job.jobId}/events${query}`)).events.at(-1)?.event).toBe('result');
  // The grep finds what is there: the row before it is deleted.
  expect(filesContaining(dir, Buffer.from(jobIdOf(job.jobId))).length).toBeGreaterThan(0);
  return job;
}

function expectGone(dir: string, jobId: string) {
  for (const marker of [...photoMarkers, ...resultMarkers, Buffer.from(jobId)]) expect(filesContaining(dir, marker)).toEqual([]);
}

describe('deleted photos are unrecoverable from the database files', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ grpcAddress: inference.address });
  });
  afterAll(async () => app.close());

  it('after the retention TTL (the sweeper)', async () => {
    const job = await finishedTryOn(app.url, '', app.dir);
    const row = await app.services.jobs.get(jobIdOf(job.jobId));
    expect(await app.services.sweeper.sweepNow(row!.expiresAt)).toBe(1);
    expectGone(app.dir, jobIdOf(job.jobId));
  });

  it("after the shopper's DELETE", async () => {
    const job = await finishedTryOn(app.url, '', app.dir);
    expect((await fetch(`${app.url}/proxy/tryon/${job.jobId}`, { method: 'DELETE' })).status).toBe(204);
    expectGone(app.dir, jobIdOf(job.jobId));
  });
});

describe('deleted photos are unrecoverable after a compliance webhook', () => {
  let f: ShopifyFixture;
  beforeAll(async () => {
    f = await startShopifyFixture({ grpcAddress: inference.address });
    await f.install();
    await f.app.services.catalog?.syncShop(SHOP);
  });
  afterAll(async () => f.close());

  it('customers/redact', async () => {
    const query = `?${f.fake.proxyQuery(SHOP, { logged_in_customer_id: '8080' })}`;
    const job = await finishedTryOn(f.app.url, query, f.app.dir);
    const res = await f.fake.deliverWebhook(f.app.url, 'customers/redact', SHOP, { shop_id: 1, shop_domain: SHOP, customer: { id: 8080 }, orders_to_redact: [] });
    expect(res.status).toBe(200);
    expectGone(f.app.dir, jobIdOf(job.jobId));
  });
});
