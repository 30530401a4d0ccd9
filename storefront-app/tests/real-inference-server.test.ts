// End to end with the real inference server (server/src/main.ts in its own process, tiny models from ../shared,
// wasm backend): a shopper's upload through the app's SSE stream to a result image, and a disconnect that
// cancels the job on the server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personPhoto, SHARED_DIR } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { jobIdOf } from './support/jobs.js';
import { startInferenceProcess, type InferenceProcess } from '@fitting-room/server/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

let server: InferenceProcess;
let app: TestApp;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-real-server-'));
  server = await startInferenceProcess(
    { TRYON_MODELS_DIR: path.join(SHARED_DIR, 'fixtures/sd-tiny/models'), TRYON_DATA_DIR: dataDir, TRYON_BACKEND: 'wasm' },
    'storefront-key',
  );
  // A short disconnect grace: the job left waiting must be cancelled before the first one ends.
  app = await startTestApp({ grpcAddress: `127.0.0.1:${server.port}`, env: { TRYON_API_KEY: 'storefront-key' }, deps: { jobs: { disconnectGraceMs: 200 } } });
});
afterAll(async () => {
  await app?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const start = async (productId: string) => {
  const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto('p03_full_man_tee_jeans.jpg'), product_id: productId, consent: 'true' }) });
  expect(res.status).toBe(202);
  return (await res.json()) as { jobId: string; eventsUrl: string; resultUrl: string };
};

describe('with the real inference server', () => {
  it('streams a try-on to a result image', async () => {
    const job = await start('demo-coral-crew-tee');
    const { events } = await readSse(`${app.url}${job.eventsUrl}`);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('queued');
    expect(names).toContain('started');
    expect(names).toContain('progress');
    expect(names.at(-1)).toBe('result');
    const result = await fetch(`${app.url}${job.resultUrl}`);
    expect(result.status).toBe(200);
    const meta = await sharp(Buffer.from(await result.arrayBuffer())).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(100);
  });

  it('cancels the job on the server when the browser disconnects', async () => {
    // A first job holds the server's one queue slot, so the second is surely still waiting when its browser leaves.
    const first = await start('demo-coral-crew-tee');
    const firstStream = readSse(`${app.url}${first.eventsUrl}`);
    const job = await start('demo-straight-leg-jeans');
    const { events } = await readSse(`${app.url}${job.eventsUrl}`, { stopWhen: (e) => e.event === 'queued' });
    expect(events.map((e) => e.event)).toEqual(['queued']);
    await expect.poll(async () => (await app.services.jobs.get(jobIdOf(job.jobId)))?.status, { timeout: 30_000 }).toBe('cancelled');
    expect((await firstStream).events.at(-1)?.event).toBe('result');
    // The server's own record of the job says cancelled too (with the two that ran, in whatever order).
    await expect.poll(async () => (await server.jobStates()).sort(), { timeout: 30_000 }).toEqual(['JOB_STATE_CANCELLED', 'JOB_STATE_SUCCEEDED', 'JOB_STATE_SUCCEEDED']);
  });
});
