// Two app instances sharing one Postgres (PGlite over the wire protocol), as deployments with several
// instances run: a try-on started on one can be followed, fetched and cancelled through the other.
// Porting note: PGlite is a single Postgres session, and its socket server interleaves the extended-protocol
// messages of concurrent connections, so both instances use one pooled connection here. Their in-memory
// state (live jobs, event streams) is separate, which is what this file tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { openPostgres } from '../src/db/postgres-database.js';
import { migrate } from '../src/db/schema.js';
import type { SqlDatabase } from '../src/db/sql-database.js';
import { startPostgres } from './support/postgres.js';
import { runUntilCancelled, startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: SqlDatabase;
let inference: ScriptedInference;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  pg = await startPostgres();
  inference = await startScriptedInference(succeed(2));
  db = openPostgres(pg.url, 1);
  await migrate(db);
  // Jobs nobody watches are cancelled after 300 ms: a stream on the other instance must count as watching.
  const options = { db, deps: { jobs: { sharedStatePollMs: 100, unwatchedTimeoutMs: 300 } } };
  a = await startTestApp({ ...options, grpcAddress: inference.address });
  b = await startTestApp({ ...options, grpcAddress: inference.address });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await inference?.stop();
  await db?.close();
  await pg?.stop();
});

const startOn = async (app: TestApp) => {
  const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-linen-midi-dress', consent: 'true' }) });
  expect(res.status).toBe(202);
  return (await res.json()) as { jobId: string; eventsUrl: string; resultUrl: string };
};

describe('several app instances on one Postgres', () => {
  it('follows on B a job started on A, then serves its result from B', async () => {
    inference.script = succeed(2);
    inference.script = async (call) => {
      // Slower than the unwatched timeout, so the job would be cancelled if B's stream did not count.
      await new Promise((resolve) => setTimeout(resolve, 800));
      await succeed(2)(call);
    };
    const job = await startOn(a);
    const onB = await readSse(`${b.url}${job.eventsUrl}`);
    // B polls the row: it may or may not catch the short "running" phase, but it must end with the result.
    expect(onB.events.map((e) => e.event).filter((e) => e !== 'started')).toEqual(['result']);
    expect(onB.events.at(-1)?.data).toEqual({ resultUrl: job.resultUrl });
    expect(a.services.tryOns.get(jobIdOf(job.jobId))?.everSubscribed).toBe(false);
    const result = await fetch(`${b.url}${job.resultUrl}`);
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('image/png');
  });

  it('a DELETE on B stops the job running on A', async () => {
    let cancelled = false;
    inference.script = runUntilCancelled(() => (cancelled = true));
    const job = await startOn(a);
    const onA = readSse(`${a.url}${job.eventsUrl}`);
    await expect.poll(() => a.services.tryOns.get(jobIdOf(job.jobId))?.everSubscribed).toBe(true);
    expect((await fetch(`${b.url}/proxy/tryon/${job.jobId}`, { method: 'DELETE' })).status).toBe(204);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect((await onA).events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
  });

  it('a browser leaving B cancels the job on A', async () => {
    let cancelled = false;
    inference.script = runUntilCancelled(() => (cancelled = true));
    const job = await startOn(a);
    const onA = readSse(`${a.url}${job.eventsUrl}`);
    // B only knows the row: it says "started" once A marks the job running, then the browser leaves.
    const onB = await readSse(`${b.url}${job.eventsUrl}`, { stopWhen: (e) => e.event === 'started' });
    expect(onB.events.map((e) => e.event)).toEqual(['started']);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect((await onA).events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
  });
});
