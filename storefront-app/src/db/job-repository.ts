// Try-on jobs: who asked (shop, customer), for what product, how it ended. Rows live only as long as
// the photo retention (they name a customer); usage counts are kept separately without personal data.
import type { ErrorCode } from '@fitting-room/proto';
import type { SqlDatabase } from './sql-database.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRecord {
  id: string;
  shop: string;
  customerId: string | null;
  productId: string;
  status: JobStatus;
  errorCode: ErrorCode | null;
  createdAt: number;
  finishedAt: number | null;
  expiresAt: number;
}

interface Row {
  id: string;
  shop: string;
  customer_id: string | null;
  product_id: string;
  status: JobStatus;
  error_code: ErrorCode | null;
  created_at: number;
  finished_at: number | null;
  expires_at: number;
}

const fromRow = (r: Row): JobRecord => ({
  id: r.id,
  shop: r.shop,
  customerId: r.customer_id,
  productId: r.product_id,
  status: r.status,
  errorCode: r.error_code,
  createdAt: Number(r.created_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  expiresAt: Number(r.expires_at),
});

export class JobRepository {
  constructor(private readonly db: SqlDatabase) {}

  async create(job: Pick<JobRecord, 'id' | 'shop' | 'customerId' | 'productId' | 'createdAt' | 'expiresAt'>): Promise<void> {
    await this.db.run(
      'INSERT INTO jobs (id, shop, customer_id, product_id, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [job.id, job.shop, job.customerId, job.productId, 'queued', job.createdAt, job.expiresAt],
    );
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM jobs WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  async setStatus(id: string, status: JobStatus, errorCode: ErrorCode | null = null, now = Date.now()): Promise<void> {
    const finished = status === 'queued' || status === 'running' ? null : now;
    await this.db.run('UPDATE jobs SET status = ?, error_code = ?, finished_at = ? WHERE id = ?', [status, errorCode, finished, id]);
  }

  /** Someone follows the job's events (possibly through another app instance). */
  async markWatched(id: string): Promise<void> {
    await this.db.run('UPDATE jobs SET watched = 1 WHERE id = ?', [id]);
  }

  async isWatched(id: string): Promise<boolean> {
    return (await this.db.get<{ watched: number }>('SELECT watched FROM jobs WHERE id = ?', [id]))?.watched === 1;
  }

  /** Current status of each job that still exists (rows deleted elsewhere are simply absent). */
  async statuses(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.all<{ id: string; status: JobStatus }>(`SELECT id, status FROM jobs WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async listForCustomer(shop: string, customerId: string): Promise<JobRecord[]> {
    const rows = await this.db.all<Row>('SELECT * FROM jobs WHERE shop = ? AND customer_id = ? ORDER BY created_at', [shop, customerId]);
    return rows.map(fromRow);
  }

  async listActive(shop: string): Promise<JobRecord[]> {
    const rows = await this.db.all<Row>("SELECT * FROM jobs WHERE shop = ? AND status IN ('queued', 'running')", [shop]);
    return rows.map(fromRow);
  }

  /** Deleting a job deletes its photo and result (images cascade). */
  async delete(id: string): Promise<number> {
    return this.db.run('DELETE FROM jobs WHERE id = ?', [id]);
  }

  async deleteForCustomer(shop: string, customerId: string): Promise<number> {
    return this.db.run('DELETE FROM jobs WHERE shop = ? AND customer_id = ?', [shop, customerId]);
  }

  async deleteShop(shop: string): Promise<number> {
    return this.db.run('DELETE FROM jobs WHERE shop = ?', [shop]);
  }

  async deleteExpired(now = Date.now()): Promise<number> {
    return this.db.run('DELETE FROM jobs WHERE expires_at <= ?', [now]);
  }
}
