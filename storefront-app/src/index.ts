// Public entry points of the storefront app:
//   startStorefront(config)  opens the database, connects to the inference server and listens (npm start, npm run storefront)
//   createApp(deps)          builds the Express app from injected dependencies (tests)
//   loadConfig(env)          reads the Shopify CLI's environment names
import type { SqlDatabase } from './db/sql-database.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type AppConfig } from './config.js';
import { createApp } from './create-app.js';
import { openDatabase } from './db/open-database.js';
import { ProductRepository } from './db/product-repository.js';
import { seedDemoCatalog } from './demo/demo-catalog.js';
import { GrpcInferenceClient } from './grpc/inference-client.js';
import { createLogger } from './logger.js';
import { DEMO_SHOP } from './services.js';
import { createShopifyApi } from './shopify/shopify-api.js';

export { createApp, type AppDeps, type Services, type StorefrontApp } from './create-app.js';
export { loadConfig, STOREFRONT_ENV_NAMES, type AppConfig } from './config.js';
export { openDatabase } from './db/open-database.js';
export type { SqlDatabase } from './db/sql-database.js';
export { GrpcInferenceClient, type InferenceClient } from './grpc/inference-client.js';
export { DEMO_SHOP } from './services.js';

export interface StartOptions {
  log?: Logger;
  /** Host to bind (default: the config's BIND_HOST, loopback unless set). */
  host?: string;
  /** A database the caller opened and shares between several instances; it stays open when this one stops. */
  db?: SqlDatabase;
}

export interface RunningStorefront {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startStorefront(config: AppConfig = loadConfig(), options: StartOptions = {}): Promise<RunningStorefront> {
  const log = options.log ?? createLogger();
  const db = options.db ?? (await openDatabase(config.databaseUrl));
  const inference = new GrpcInferenceClient({ address: config.grpcAddress, apiKey: config.grpcApiKey, quality: config.tryOnQuality, log });
  const shopify = config.shopify ? createShopifyApi(config.shopify, log) : undefined;
  if (!shopify) await seedDemoCatalog(new ProductRepository(db), DEMO_SHOP);
  const { app, services, shutdown } = createApp({ config, db, log, inference, shopify });
  await services.tryOns.failOrphans(db.dialect === 'sqlite');

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, options.host ?? config.bindHost, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  log.info({ url, mode: shopify ? 'shopify' : 'standalone', grpc: config.grpcAddress }, 'storefront app listening');
  return {
    port,
    url,
    stop: async () => {
      // Running try-ons end first (their status written, their streams sent the ending), then the server.
      await shutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Streams following another instance's job have no ending to send here: they are cut.
      const cut = setTimeout(() => server.closeAllConnections(), 1_000);
      await closed;
      clearTimeout(cut);
      inference.close();
      if (!options.db) await db.close();
    },
  };
}
