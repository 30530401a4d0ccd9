import type { SqlDatabase } from './sql-database.js';

export type TrainingStatus = 'exporting' | 'training' | 'succeeded' | 'failed';

export interface TrainingRun {
  id: string;
  shop: string;
  status: TrainingStatus;
  /** 0..1 */
  progress: number;
  message: string;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  shop: string;
  status: TrainingStatus;
  progress: number;
  message: string;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: Row): TrainingRun => ({
  id: r.id, shop: r.shop, status: r.status, progress: Number(r.progress), message: r.message,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

export class TrainingRunRepository {
  constructor(private readonly db: SqlDatabase) {}

  async create(id: string, shop: string, now = Date.now()): Promise<void> {
    await this.db.run(
      'INSERT INTO training_runs (id, shop, status, progress, message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, shop, 'exporting', 0, 'exporting the catalog', now, now],
    );
  }

  async update(id: string, status: TrainingStatus, progress: number, message: string, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE training_runs SET status = ?, progress = ?, message = ?, updated_at = ? WHERE id = ?', [status, progress, message, now, id]);
  }

  async list(shop: string, limit = 10): Promise<TrainingRun[]> {
    const rows = await this.db.all<Row>('SELECT * FROM training_runs WHERE shop = ? ORDER BY created_at DESC LIMIT ?', [shop, limit]);
    return rows.map(fromRow);
  }

  async deleteShop(shop: string): Promise<number> {
    return this.db.run('DELETE FROM training_runs WHERE shop = ?', [shop]);
  }
}
