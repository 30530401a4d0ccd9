// A try-on is its shopper's alone: through the app proxy, a job started by a logged-in customer is visible only
// to that customer holding its handle, and a guest's job only to whoever holds the handle (its secret). Anyone
// else gets 404 for its events, result and DELETE, and the job goes on. The secret never reaches a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryOnResponse } from '@fitting-room/proto';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { SHOP, startInstalledShop, type InstalledShop, type ShopifyFixture } from './support/shopify-fixture.js';

let shop: InstalledShop;
let f: ShopifyFixture;

beforeAll(async () => {
  shop = await startInstalledShop();
  ({ f } = shop);
});
afterAll(() => shop?.close());

/** Through the store's app proxy, as `customer` (null: a guest). */
const as = (customer: string | null) => `?${f.fake.proxyQuery(SHOP, { logged_in_customer_id: customer ?? '' })}`;

async function finishedJob(customer: string | null) {
  const res = await fetch(`${f.app.url}/proxy/tryon${as(customer)}`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: '101', consent: 'true' }) });
  expect(res.status).toBe(202);
  const job = startTryOnResponse.parse(await res.json());
  expect((await readSse(`${f.app.url}/proxy/tryon/${job.jobId}/events${as(customer)}`)).events.at(-1)?.event).toBe('result');
  return job.jobId;
}

const result = (handle: string, customer: string | null) => fetch(`${f.app.url}/proxy/tryon/${handle}/result${as(customer)}`);
const events = (handle: string, customer: string | null) => fetch(`${f.app.url}/proxy/tryon/${handle}/events${as(customer)}`);
const cancel = (handle: string, customer: string | null) => fetch(`${f.app.url}/proxy/tryon/${handle}${as(customer)}`, { method: 'DELETE' });

async function expectNotFound(res: Response) {
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
}

describe('job access', () => {
  it("a logged-in customer's job: another customer and a guest, even with its handle, get 404 and delete nothing", async () => {
    const handle = await finishedJob('111');
    for (const stranger of ['222', null]) {
      await expectNotFound(await result(handle, stranger));
      await expectNotFound(await events(handle, stranger));
      await expectNotFound(await cancel(handle, stranger));
    }
    expect((await result(handle, '111')).status).toBe(200);
    expect(await f.app.services.jobs.get(jobIdOf(handle))).toBeDefined();
  });

  it("a guest's job: readable with its handle only; its bare id or a wrong secret get 404", async () => {
    const handle = await finishedJob(null);
    const id = jobIdOf(handle);
    const wrongSecret = `${id}-${'0'.repeat(32)}`;
    for (const other of [id, wrongSecret]) {
      await expectNotFound(await result(other, null));
      await expectNotFound(await events(other, null));
      await expectNotFound(await cancel(other, null));
    }
    const image = await result(handle, null);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await cancel(handle, null)).status).toBe(204);
    await expectNotFound(await result(handle, null));
  });

  it('job secrets appear in no log line (request logs name the job by its id only)', async () => {
    const handle = await finishedJob(null);
    expect((await result(handle, null)).status).toBe(200);
    const secret = handle.split('-')[1];
    const logs = f.app.logs.join('');
    expect(logs).toContain(`/proxy/tryon/${jobIdOf(handle)}-[secret]/result`);
    expect(logs).not.toContain(secret);
  });
});
