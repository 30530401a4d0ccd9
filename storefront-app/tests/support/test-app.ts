// Starts the real app (createApp) on a loopback port, with a real SQLite file in a fresh temp folder.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { createApp, type AppDeps, type Services } from '../../src/create-app.js';
import { openDatabase } from '../../src/db/open-database.js';
import type { SqlDatabase } from '../../src/db/sql-database.js';
import { ProductRepository } from '../../src/db/product-repository.js';
import { seedDemoCatalog } from '../../src/demo/demo-catalog.js';
import { GrpcInferenceClient } from '../../src/grpc/inference-client.js';
import { DEMO_SHOP } from '../../src/services.js';
import { createShopifyApi } from '../../src/shopify/shopify-api.js';
import type { FakeShopify } from './fake-shopify.js';

export interface TestApp {
  url: string;
  dir: string;
  dbFile: string;
  services: Services;
  /** Every log line the app wrote (to check that nothing personal is logged). */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  grpcAddress?: string;
  env?: Record<string, string>;
  /** Shopify mode against this fake Shopify; standalone (demo store) without. */
  shopify?: { fake: FakeShopify; apiKey: string; apiSecret: string };
  config?: Partial<AppConfig>;
  deps?: Partial<AppDeps>;
  /** A database opened by the test (shared by several app instances); the app does not close it. */
  db?: SqlDatabase;
  /** Interface to listen on (default loopback). */
  host?: string;
}

export async function startTestApp(o: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-test-'));
  const dbFile = path.join(dir, 'app.sqlite');
  const env: Record<string, string> = { DATABASE_URL: `sqlite:${dbFile}`, TRYON_GRPC_ADDRESS: o.grpcAddress ?? '127.0.0.1:1', ...o.env };
  if (o.shopify) Object.assign(env, { SHOPIFY_API_KEY: o.shopify.apiKey, SHOPIFY_API_SECRET: o.shopify.apiSecret, HOST: 'https://tryon-app.example.com' });
  const config: AppConfig = { ...loadConfig(env, dir), datasetsDir: path.join(dir, 'datasets'), ...o.config };

  const logs: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { logs.push(chunk.toString()); done(); } });
  const log = pino({ level: 'debug' }, sink);
  const db = o.db ?? (await openDatabase(config.databaseUrl));
  const inference = new GrpcInferenceClient({ address: config.grpcAddress, apiKey: config.grpcApiKey, quality: config.tryOnQuality, log });
  const shopify = config.shopify && o.shopify ? createShopifyApi(config.shopify, log, { fetch: o.shopify.fake.fetch }) : undefined;
  if (!shopify) await seedDemoCatalog(new ProductRepository(db), DEMO_SHOP);
  const { app, services, shutdown } = createApp({ config, db, log, inference, shopify, ...o.deps });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, o.host ?? '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dir,
    dbFile,
    services,
    logs,
    close: async () => {
      await shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      inference.close();
      if (!o.db) await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
