// Try-on jobs: who asked (shop, customer), for what product, how it ended. Rows live only as long as
// the photo retention (they name a customer); usage counts are kept separately without personal data.
import type { ErrorCode } from '@fitting-room/proto';
import type { SqlDatabase, SqlValue } from './sql-database.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRecord {
  id: string;
  shop: string;
  customerId: string | null;
  productId: string;
  status: JobStatus;
  errorCode: ErrorCode | null;
  /** SHA-256 of the job's secret (jobs/job-handle.ts); null for rows of versions before secrets. */
  secretHash: string | null;
  /** Last sign of life from the instance running the job (several instances: a dead one's jobs go stale). */
  heartbeatAt: number | null;
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
  secret_hash: string | null;
  heartbeat_at: number | null;
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
  secretHash: r.secret_hash,
  heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
  createdAt: Number(r.created_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  expiresAt: Number(r.expires_at),
});

export class JobRepository {
  constructor(private readonly db: SqlDatabase) {}

  async create(job: Pick<JobRecord, 'id' | 'shop' | 'customerId' | 'productId' | 'secretHash' | 'createdAt' | 'expiresAt'>): Promise<void> {
    await this.db.run(
      'INSERT INTO jobs (id, shop, customer_id, product_id, status, secret_hash, heartbeat_at, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [job.id, job.shop, job.customerId, job.productId, 'queued', job.secretHash, job.createdAt, job.createdAt, job.expiresAt],
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

  /** The instance running these jobs is alive. */
  async heartbeat(ids: readonly string[], now = Date.now()): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(`UPDATE jobs SET heartbeat_at = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [now, ...ids]);
  }

  /**
   * Fails unfinished jobs nobody runs any more: those whose last heartbeat is older than `staleBefore` (pass
   * Infinity when no other instance can be running jobs). Returns how many.
   */
  async failOrphans(staleBefore: number, errorCode: ErrorCode, now = Date.now()): Promise<number> {
    return this.db.run(
      `UPDATE jobs SET status = 'failed', error_code = ?, finished_at = ?
       WHERE status IN ('queued', 'running') AND COALESCE(heartbeat_at, created_at) < ?`,
      [errorCode, now, Number.isFinite(staleBefore) ? staleBefore : Number.MAX_SAFE_INTEGER],
    );
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

  /** Deleting a job deletes its photo and result (images cascade), for good (see SqlDatabase.purgeDeleted). */
  async delete(id: string): Promise<number> {
    return this.deleteWhere('id = ?', [id]);
  }

  async deleteForCustomer(shop: string, customerId: string): Promise<number> {
    return this.deleteWhere('shop = ? AND customer_id = ?', [shop, customerId]);
  }

  async deleteShop(shop: string): Promise<number> {
    return this.deleteWhere('shop = ?', [shop]);
  }

  async deleteExpired(now = Date.now()): Promise<number> {
    return this.deleteWhere('expires_at <= ?', [now]);
  }

  private async deleteWhere(where: string, params: SqlValue[]): Promise<number> {
    const deleted = await this.db.run(`DELETE FROM jobs WHERE ${where}`, params);
    if (deleted > 0) await this.db.purgeDeleted();
    return deleted;
  }
}
