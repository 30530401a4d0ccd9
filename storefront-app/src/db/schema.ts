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
     secret_hash TEXT,
     heartbeat_at BIGINT,
     created_at BIGINT NOT NULL,
     finished_at BIGINT,
     expires_at BIGINT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS jobs_shop_customer ON jobs (shop, customer_id)`,
  `CREATE INDEX IF NOT EXISTS jobs_expires ON jobs (expires_at)`,
  // Plaintext images of earlier versions: their jobs have no secret, so nobody can open them any more.
  `DROP TABLE IF EXISTS images`,
  `CREATE TABLE IF NOT EXISTS sealed_images (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     kind TEXT NOT NULL,
     sealed ${blob} NOT NULL,
     PRIMARY KEY (job_id, kind))`,
  `CREATE TABLE IF NOT EXISTS usage_daily (
     shop TEXT NOT NULL,
     day TEXT NOT NULL,
     tryons INTEGER NOT NULL,
     PRIMARY KEY (shop, day))`,
  `CREATE TABLE IF NOT EXISTS webhook_deliveries (
     id TEXT PRIMARY KEY,
     shop TEXT NOT NULL,
     topic TEXT NOT NULL,
     received_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS training_runs (
     id TEXT PRIMARY KEY,
     shop TEXT NOT NULL,
     status TEXT NOT NULL,
     progress REAL NOT NULL,
     message TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL)`,
];

/** Columns added after a table first shipped: databases created before get them on start-up. */
const addedColumns: { table: string; column: string; definition: string }[] = [
  { table: 'jobs', column: 'watched', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'jobs', column: 'secret_hash', definition: 'TEXT' },
  { table: 'jobs', column: 'heartbeat_at', definition: 'BIGINT' },
];

async function columnsOf(db: SqlDatabase, table: string): Promise<Set<string>> {
  const rows = db.dialect === 'postgres'
    ? await db.all<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_name = ?', [table])
    : await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table]);
  return new Set(rows.map((r) => r.name));
}

export async function migrate(db: SqlDatabase): Promise<void> {
  for (const sql of statements(db.dialect === 'postgres' ? 'BYTEA' : 'BLOB')) await db.run(sql);
  for (const { table, column, definition } of addedColumns) {
    if (!(await columnsOf(db, table)).has(column)) await db.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
  await db.purgeDeleted();
}
