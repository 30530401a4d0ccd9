// Configuration from the environment, under the names the Shopify CLI sets (SHOPIFY_API_KEY, HOST, ...), parsed once at the edge.
import path from 'node:path';
import { z } from 'zod';

const positiveNumber = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).positive(`${name} must be positive`);

const envSchema = z.object({
  SHOPIFY_API_KEY: z.string().optional(),
  SHOPIFY_API_SECRET: z.string().optional(),
  SCOPES: z.string().default('read_products'),
  HOST: z.string().optional(),
  PORT: z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65535).default(3000),
  /** Interface to listen on: loopback unless set (a container or a host behind a proxy sets 0.0.0.0). */
  BIND_HOST: z.string().min(1).default('127.0.0.1'),
  TRYON_GRPC_ADDRESS: z.string().min(1).default('localhost:50051'),
  TRYON_API_KEY: z.string().optional(),
  /** Shoppers' try-ons ask the inference server for this preset. */
  TRYON_QUALITY: z.enum(['fast', 'standard'], { error: 'TRYON_QUALITY must be fast or standard' }).default('fast'),
  DATABASE_URL: z.string().optional(),
  PHOTO_TTL_HOURS: positiveNumber('PHOTO_TTL_HOURS').default(24),
  /** The inference server's datasets folder (its own variable): catalog exports for fine-tuning go there. */
  TRYON_DATASETS_DIR: z.string().min(1).optional(),
});

export interface ShopifyCredentials {
  apiKey: string;
  apiSecret: string;
  scopes: string[];
  /** Public https origin of the app, e.g. `https://tryon.example.com`. */
  appUrl: string;
}

export interface AppConfig {
  port: number;
  bindHost: string;
  /** Absent in standalone mode: demo catalog, proxy routes without signatures. */
  shopify?: ShopifyCredentials;
  grpcAddress: string;
  grpcApiKey?: string;
  /** QUALITY_FAST (few-step LCM where the server can) or standard for shoppers' try-ons. */
  tryOnQuality: 'fast' | 'standard';
  databaseUrl: string;
  photoTtlMs: number;
  /** Where catalog exports for fine-tuning are written; the inference server must read the same folder. */
  datasetsDir: string;
  /** Deadline for one try-on, queue time included. */
  tryOnDeadlineMs: number;
  /** Per-shop daily quota of try-ons. */
  dailyQuotaPerShop: number;
  rateLimits: { perShopperPerMinute: number; perShopPerMinute: number };
}

export class ConfigError extends Error {}

/** The environment variables the app reads (deployment manifests are checked against these). */
export const STOREFRONT_ENV_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** An empty variable (`PHOTO_TTL_HOURS=` in a compose file or a shell) means "not set": the default applies. */
const withoutEmpty = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  let shopify: ShopifyCredentials | undefined;
  if (e.SHOPIFY_API_KEY || e.SHOPIFY_API_SECRET) {
    if (!e.SHOPIFY_API_KEY || !e.SHOPIFY_API_SECRET || !e.HOST) {
      throw new ConfigError('SHOPIFY_API_KEY, SHOPIFY_API_SECRET and HOST must be set together (or none, for standalone mode)');
    }
    shopify = {
      apiKey: e.SHOPIFY_API_KEY,
      apiSecret: e.SHOPIFY_API_SECRET,
      scopes: e.SCOPES.split(',').map((s) => s.trim()).filter(Boolean),
      appUrl: e.HOST.startsWith('http') ? e.HOST.replace(/\/$/, '') : `https://${e.HOST}`,
    };
  }
  return {
    port: e.PORT,
    bindHost: e.BIND_HOST,
    shopify,
    grpcAddress: e.TRYON_GRPC_ADDRESS,
    grpcApiKey: e.TRYON_API_KEY,
    tryOnQuality: e.TRYON_QUALITY,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(cwd, 'data', 'storefront.sqlite')}`,
    photoTtlMs: e.PHOTO_TTL_HOURS * 3_600_000,
    datasetsDir: e.TRYON_DATASETS_DIR ?? path.join(cwd, 'data', 'datasets'),
    tryOnDeadlineMs: 180_000,
    dailyQuotaPerShop: 2_000,
    rateLimits: { perShopperPerMinute: 10, perShopPerMinute: 120 },
  };
}
