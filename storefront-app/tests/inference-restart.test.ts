// The inference server killed (SIGKILL, a real process) and started again on the same port: while it is down a
// shopper's upload is refused at once with 503 unavailable (not accepted into a silent stream), and within a few
// seconds of its return uploads are accepted and run again (the channel's reconnect backoff stays short).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from '@fitting-room/proto';
import { personPhoto, SHARED_DIR } from './support/images.js';
import { readSse, tryOnForm } from './support/http.js';
import { freePort, startInferenceProcess, type InferenceProcess } from '@fitting-room/server/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

const API_KEY = 'restart-key';
let dataDir: string;
let port: number;
let server: InferenceProcess | undefined;
let app: TestApp;

const startServer = () =>
  startInferenceProcess({ TRYON_MODELS_DIR: path.join(SHARED_DIR, 'fixtures/sd-tiny/models'), TRYON_DATA_DIR: dataDir, TRYON_BACKEND: 'wasm' }, API_KEY, port);

const upload = () => fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-coral-crew-tee', consent: 'true' }) });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-inference-restart-'));
  port = await freePort();
  server = await startServer();
  app = await startTestApp({
    grpcAddress: `127.0.0.1:${port}`,
    env: { TRYON_API_KEY: API_KEY },
    config: { rateLimits: { perShopperPerMinute: 1_000, perShopPerMinute: 1_000 } },
  });
});
afterAll(async () => {
  await app?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the inference server killed, then started again', () => {
  it('refuses uploads with 503 unavailable while it is down, and takes them again within seconds of its return', async () => {
    // Up: a try-on runs to its result (the channel is connected).
    const first = await upload();
    expect(first.status).toBe(202);
    const { eventsUrl } = (await first.json()) as { eventsUrl: string };
    expect((await readSse(`${app.url}${eventsUrl}`)).events.at(-1)?.event).toBe('result');

    await server?.kill('SIGKILL');
    server = undefined;
    // Shoppers keep trying for a while (long enough for grpc-js's default backoff to grow past several seconds).
    const outageEnds = Date.now() + 10_000;
    while (Date.now() < outageEnds) {
      const refused = await upload();
      expect(refused.status).toBe(503);
      expect(errorBody.parse(await refused.json()).error.code).toBe('unavailable');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    // Nothing of the refused try-ons is kept: the first job's row is the only one.
    expect(await app.services.db.get('SELECT COUNT(*) AS n FROM jobs')).toEqual({ n: 1 });

    server = await startServer();
    await expect.poll(async () => (await upload()).status, { timeout: 3_000, interval: 200 }).toBe(202);
  });
});
