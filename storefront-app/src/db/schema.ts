// Tables, created idempotently at start-up. Times are BIGINT milliseconds since the epoch.
import type { SqlDatabase } from './sql-database.js';

const statements = (blob: string): string[] => [
  `CREATE TABLE IF NOT EXISTS shopify_sessions (
     id TEXT PRIMARY KEY,
     shop TEXT NOT NULL,
     data TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS shopify_sessions_shop ON shopify_sessions (shop)`,
  `CREATE TABLE IF NOT EXISTS products (
     shop TEXT NOT NULL,
     product_id TEXT NOT NULL,
     handle TEXT NOT NULL,
     title TEXT NOT NULL,
     product_type TEXT NOT NULL,
     tags TEXT NOT NULL,
     description TEXT NOT NULL,
     image_url TEXT,
     variants TEXT NOT NULL,
     category TEXT NOT NULL,
     category_override TEXT,
     tryon_enabled INTEGER NOT NULL DEFAULT 1,
     synced_at BIGINT NOT NULL,
     PRIMARY KEY (shop, product_id))`,
  `CREATE TABLE IF NOT EXISTS jobs (
     id TEXT PRIMARY KEY,
     shop TEXT NOT NULL,
     customer_id TEXT,
     product_id TEXT NOT NULL,
     status TEXT NOT NULL,
     error_code TEXT,
     watched INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     finished_at BIGINT,
     expires_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS jobs_shop_customer ON jobs (shop, customer_id)`,
  `CREATE INDEX IF NOT EXISTS jobs_expires ON jobs (expires_at)`,
  `CREATE TABLE IF NOT EXISTS images (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     kind TEXT NOT NULL,
     mime TEXT NOT NULL,
     bytes ${blob} NOT NULL,
     PRIMARY KEY (job_id, kind))`,
  `CREATE TABLE IF NOT EXISTS usage_daily (
     shop TEXT NOT NULL,
     day TEXT NOT NULL,
     tryons INTEGER NOT NULL,
     PRIMARY KEY (shop, day))`,
  `CREATE TABLE IF NOT EXISTS training_runs (
     id TEXT PRIMARY KEY,
     shop TEXT NOT NULL,
     status TEXT NOT NULL,
     progress REAL NOT NULL,
     message TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL)`,
];

export async function migrate(db: SqlDatabase): Promise<void> {
  for (const sql of statements(db.dialect === 'postgres' ? 'BYTEA' : 'BLOB')) await db.run(sql);
}
