// The storefront app as its own process (src/main.ts), stopped the hard way (SIGKILL) and the polite way
// (SIGTERM) in the middle of a try-on, and started with an empty variable in its environment.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorBody, startTryOnResponse } from '@fitting-room/proto';
import { personPhoto } from './support/images.js';
import { readSse, tryOnForm, type SseEvent } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { startStorefrontProcess, type StorefrontProcess } from './support/processes.js';
import { runUntilCancelled, startScriptedInference, type ScriptedInference } from './support/scripted-inference.js';

let dir: string;
let inference: ScriptedInference;
let cancelledOnServer = 0;
const running: StorefrontProcess[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-process-'));
  cancelledOnServer = 0;
  inference = await startScriptedInference(runUntilCancelled(() => cancelledOnServer++));
});
afterEach(async () => {
  for (const p of running.splice(0)) await p.kill('SIGKILL');
  await inference.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: `sqlite:${path.join(dir, 'app.sqlite')}`, TRYON_GRPC_ADDRESS: inference.address, TRYON_DATASETS_DIR: path.join(dir, 'datasets') });

async function start(extra: Record<string, string> = {}): Promise<StorefrontProcess> {
  const p = await startStorefrontProcess(dir, { ...env(), ...extra });
  running.push(p);
  return p;
}

async function startJob(app: StorefrontProcess) {
  const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-coral-crew-tee', consent: 'true' }) });
  expect(res.status).toBe(202);
  return startTryOnResponse.parse(await res.json());
}

/** Follows a stream in the background; `progressed` resolves once the job is running on the inference server. */
function follow(url: string) {
  let progressed!: () => void;
  const running = new Promise<void>((resolve) => (progressed = resolve));
  const events: SseEvent[] = [];
  const done = readSse(url, { onEvent: (e) => (events.push(e), e.event === 'progress' && progressed()) }).then(
    () => 'closed' as const,
    () => 'broken' as const,
  );
  return { events, running, done };
}

const jobRow = (id: string) => {
  const db = new Database(path.join(dir, 'app.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT status, error_code FROM jobs WHERE id = ?').get(id);
  } finally {
    db.close();
  }
};

describe('the storefront process stopped mid-job', () => {
  it('killed (SIGKILL) and restarted: the orphaned job is failed at start-up; its stream and result answer at once', async () => {
    const first = await start();
    const job = await startJob(first);
    const stream = follow(`${first.url}${job.eventsUrl}`);
    await stream.running;
    await first.kill('SIGKILL');
    expect(await stream.done).toBe('broken');
    expect(stream.events.some((e) => e.event === 'result' || e.event === 'error')).toBe(false);

    const second = await start();
    const reopened = await readSse(`${second.url}${job.eventsUrl}`, { signal: AbortSignal.timeout(10_000) });
    expect(reopened.events.map((e) => e.event)).toEqual(['error']);
    expect(reopened.events[0].data).toMatchObject({ code: 'unavailable' });
    const result = await fetch(`${second.url}${job.resultUrl}`);
    expect(result.status).toBe(410);
    expect(errorBody.parse(await result.json()).error.code).toBe('unavailable');
    expect(jobRow(jobIdOf(job.jobId))).toEqual({ status: 'failed', error_code: 'unavailable' });
  });

  it('SIGTERM: the stream gets a terminal event, the inference server a cancel, and the status is written before the database closes', async () => {
    const app = await start();
    const job = await startJob(app);
    const stream = follow(`${app.url}${job.eventsUrl}`);
    await stream.running;
    expect(await app.kill('SIGTERM')).toBe(0);
    expect(await stream.done).toBe('closed');
    expect(stream.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'unavailable' } });
    expect(cancelledOnServer).toBe(1);
    expect(jobRow(jobIdOf(job.jobId))).toEqual({ status: 'failed', error_code: 'unavailable' });
  });
});

describe('the storefront process environment', () => {
  it('starts with PHOTO_TTL_HOURS="" (and other empty variables) on their defaults', async () => {
    const app = await start({ PHOTO_TTL_HOURS: '', TRYON_QUALITY: '', SHOPIFY_API_KEY: '' });
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ ok: true, mode: 'standalone' });
    expect(await (await fetch(`${app.url}/privacy`)).text()).toContain('deleted after 24 hours');
  });
});
