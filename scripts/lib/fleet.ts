// A fleet on one machine, loopback only: several inference-server processes, several storefront instances on one
// Postgres (PGlite over the wire), and shoppers going through the storefront's HTTP API as the widget does.
// `npm run bench:fleet` and tests/e2e/fleet.test.ts drive it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startInferenceProcess, type InferenceProcess } from '@fitting-room/server/testing';
import { loadConfig, openDatabase, startStorefront, type RunningStorefront, type SqlDatabase } from '@fitting-room/storefront-app';
import { startPostgres } from '@fitting-room/storefront-app/testing';

const API_KEY = 'fleet-key';

export interface Fleet {
  readonly servers: (InferenceProcess | undefined)[];
  readonly storefronts: RunningStorefront[];
  readonly db: SqlDatabase;
  /** SIGKILLs server `i`, as a node that crashed. */
  kill(i: number): Promise<void>;
  /** Starts server `i` again where it listened. */
  restart(i: number): Promise<void>;
  /** Jobs each server has taken (ListJobs), by state; undefined for a server that is down. */
  jobsPerServer(): Promise<(string[] | undefined)[]>;
  stop(): Promise<void>;
}

export async function startFleet({ servers = 3, storefronts = 2 } = {}): Promise<Fleet> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
  const env = (i: number) => ({ TRYON_DATA_DIR: path.join(dataDir, `server-${i}`), TRYON_SHUTDOWN_GRACE_MS: '1000' });
  const running: (InferenceProcess | undefined)[] = [];
  const ports: number[] = [];
  for (let i = 0; i < servers; i++) {
    // One at a time: the first start writes the embedded models, on a 2-core machine in parallel they only contend.
    const server = await startInferenceProcess(env(i), API_KEY);
    running.push(server);
    ports.push(server.port);
  }
  const postgres = await startPostgres();
  // PGlite is one Postgres session: the instances share one pooled connection (separate in-memory state).
  const db = await openDatabase(postgres.url, { postgresPoolSize: 1 });
  const config = loadConfig({
    TRYON_GRPC_ADDRESS: `ipv4:${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    TRYON_API_KEY: API_KEY,
    DATABASE_URL: postgres.url,
    PORT: '0',
  });
  const silent = pino({ level: 'silent' });
  const apps: RunningStorefront[] = [];
  // Every simulated shopper comes from 127.0.0.1: per-shopper rate limits would count them as one.
  const limits = { perShopperPerMinute: 10_000, perShopPerMinute: 10_000 };
  for (let i = 0; i < storefronts; i++) {
    apps.push(await startStorefront({ ...config, rateLimits: limits, datasetsDir: path.join(dataDir, `datasets-${i}`) }, { db, log: silent, host: '127.0.0.1' }));
  }

  return {
    servers: running,
    storefronts: apps,
    db,
    kill: async (i) => {
      await running[i]?.kill('SIGKILL');
      running[i] = undefined;
    },
    restart: async (i) => {
      running[i] = await startInferenceProcess(env(i), API_KEY, ports[i]);
    },
    jobsPerServer: () => Promise.all(running.map((s) => s?.jobStates())),
    stop: async () => {
      for (const app of apps) await app.stop();
      await db.close();
      await postgres.stop();
      for (const s of running) await s?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ShopperOutcome {
  /** `result`, or the error event's code (or `http_<status>` when the upload was refused). */
  readonly outcome: string;
  readonly jobId?: string;
  readonly ms: number;
  /** Epoch ms of the terminal event. */
  readonly endedAt: number;
}

/** One shopper: uploads a photo for a product, follows the event stream to its end, fetches the picture. */
export async function shopperTryOn(storefrontUrl: string, photo: Buffer, productId: string): Promise<ShopperOutcome> {
  const started = Date.now();
  const form = new FormData();
  form.set('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  form.set('product_id', productId);
  form.set('consent', 'true');
  const upload = await fetch(`${storefrontUrl}/proxy/tryon`, { method: 'POST', body: form });
  if (upload.status !== 202) {
    await upload.body?.cancel();
    return { outcome: `http_${upload.status}`, ms: Date.now() - started, endedAt: Date.now() };
  }
  const { jobId, eventsUrl } = (await upload.json()) as { jobId: string; eventsUrl: string };
  const ending = await terminalEvent(`${storefrontUrl}${eventsUrl}`);
  const endedAt = Date.now();
  if (ending.event === 'result') {
    const picture = await fetch(`${storefrontUrl}${(ending.data as { resultUrl: string }).resultUrl}`);
    await picture.arrayBuffer();
    if (picture.status !== 200) return { outcome: `result_http_${picture.status}`, jobId, ms: endedAt - started, endedAt };
    return { outcome: 'result', jobId, ms: endedAt - started, endedAt };
  }
  return { outcome: (ending.data as { code?: string }).code ?? ending.event, jobId, ms: endedAt - started, endedAt };
}

/** Reads a server-sent event stream until `result` or `error`. */
async function terminalEvent(url: string): Promise<{ event: string; data: unknown }> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  if (!response.body) throw new Error(`no event stream at ${url} (${response.status})`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (event === 'result' || event === 'error') {
        await reader.cancel();
        return { event, data: JSON.parse(data) as unknown };
      }
    }
  }
  return { event: 'error', data: { code: 'stream_ended' } };
}

/** `count` shoppers, `concurrency` at a time, spread over the storefront instances in turn. */
export async function runShoppers(fleet: Fleet, count: number, concurrency: number, photo: Buffer, productId: string): Promise<ShopperOutcome[]> {
  const outcomes: ShopperOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      outcomes.push(await shopperTryOn(fleet.storefronts[i % fleet.storefronts.length]!.url.replace('localhost', '127.0.0.1'), photo, productId));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
