// Everything the routes use, built once from the injected dependencies.
import type { Shopify } from '@shopify/shopify-api';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import { FineTuning } from './catalog/fine-tuning.js';
import { HttpGarmentImages, type GarmentImageSource } from './catalog/garment-images.js';
import { JobRepository } from './db/job-repository.js';
import { ProductRepository } from './db/product-repository.js';
import { SqlSessionStorage } from './db/session-storage.js';
import type { SqlDatabase } from './db/sql-database.js';
import { TrainingRunRepository } from './db/training-run-repository.js';
import { UsageRepository } from './db/usage-repository.js';
import { WebhookDeliveryRepository } from './db/webhook-delivery-repository.js';
import type { InferenceClient } from './grpc/inference-client.js';
import { TryOnJobs } from './jobs/tryon-jobs.js';
import { PhotoStore } from './photos/photo-store.js';
import { startSweeper, type Sweeper } from './photos/sweeper.js';
import { Privacy } from './privacy.js';
import { Quota } from './quota.js';
import type { CatalogSyncOptions } from './shopify/catalog-sync.js';
import { ShopCatalog } from './shopify/shop-catalog.js';

/** The shop every request belongs to in standalone mode. */
export const DEMO_SHOP = 'demo.local';

export interface AppDeps {
  config: AppConfig;
  db: SqlDatabase;
  log: Logger;
  inference: InferenceClient;
  /** Absent in standalone mode. */
  shopify?: Shopify;
  /** Product photos for try-ons; default: fetched from the product's image URL (demo: drawn by code). */
  garmentImages?: GarmentImageSource;
  catalogSync?: CatalogSyncOptions;
  /** Job timing knobs (tests shorten them). */
  jobs?: { acceptWaitMs?: number; unwatchedTimeoutMs?: number; disconnectGraceMs?: number; keepFinishedMs?: number; sharedStatePollMs?: number };
  sweepIntervalMs?: number;
  /** The widget's ES module bundle served to the demo pages (default widget/dist/tryon-widget.js). */
  widgetBundle?: string;
}

export interface Services {
  config: AppConfig;
  log: Logger;
  db: SqlDatabase;
  shopify?: Shopify;
  sessions: SqlSessionStorage;
  products: ProductRepository;
  jobs: JobRepository;
  photos: PhotoStore;
  usage: UsageRepository;
  trainingRuns: TrainingRunRepository;
  webhookDeliveries: WebhookDeliveryRepository;
  quota: Quota;
  tryOns: TryOnJobs;
  garmentImages: GarmentImageSource;
  fineTuning: FineTuning;
  catalog?: ShopCatalog;
  privacy: Privacy;
  sweeper: Sweeper;
}

export function buildServices(deps: AppDeps, garmentImages: GarmentImageSource = deps.garmentImages ?? new HttpGarmentImages()): Services {
  const { config, db, log, inference, shopify } = deps;
  const sessions = new SqlSessionStorage(db);
  const products = new ProductRepository(db);
  const jobs = new JobRepository(db);
  const photos = new PhotoStore(db);
  const usage = new UsageRepository(db);
  const trainingRuns = new TrainingRunRepository(db);
  const webhookDeliveries = new WebhookDeliveryRepository(db);
  const tryOns = new TryOnJobs({ jobs, photos, usage, inference, log, deadlineMs: config.tryOnDeadlineMs, photoTtlMs: config.photoTtlMs, ...deps.jobs });
  const fineTuning = new FineTuning({
    products, runs: trainingRuns, images: garmentImages, inference, log,
    datasetsDir: config.datasetsDir, steps: 200,
  });
  const base = { config, log, db, shopify, sessions, products, jobs, photos, usage, trainingRuns, webhookDeliveries, tryOns, garmentImages, fineTuning };
  return {
    ...base,
    quota: new Quota(usage, config.dailyQuotaPerShop),
    catalog: shopify ? new ShopCatalog(shopify, sessions, products, log, deps.catalogSync) : undefined,
    privacy: new Privacy(base),
    sweeper: startSweeper(jobs, webhookDeliveries, log, deps.sweepIntervalMs),
  };
}
