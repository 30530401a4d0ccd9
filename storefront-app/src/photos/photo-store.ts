// Shopper photos and try-on results, stored with their job and deleted with it (TTL, cancel, compliance).
import type { SqlDatabase } from '../db/sql-database.js';

export type ImageKind = 'photo' | 'result';

export interface StoredImage {
  mime: string;
  bytes: Buffer;
}

export class PhotoStore {
  constructor(private readonly db: SqlDatabase) {}

  async put(jobId: string, kind: ImageKind, image: StoredImage): Promise<void> {
    await this.db.run(
      `INSERT INTO images (job_id, kind, mime, bytes) VALUES (?, ?, ?, ?)
       ON CONFLICT (job_id, kind) DO UPDATE SET mime = excluded.mime, bytes = excluded.bytes`,
      [jobId, kind, image.mime, image.bytes],
    );
  }

  async get(jobId: string, kind: ImageKind): Promise<StoredImage | undefined> {
    const row = await this.db.get<{ mime: string; bytes: Buffer | Uint8Array }>(
      'SELECT mime, bytes FROM images WHERE job_id = ? AND kind = ?',
      [jobId, kind],
    );
    return row && { mime: row.mime, bytes: Buffer.from(row.bytes) };
  }

  async kindsHeld(jobId: string): Promise<ImageKind[]> {
    const rows = await this.db.all<{ kind: ImageKind }>('SELECT kind FROM images WHERE job_id = ? ORDER BY kind', [jobId]);
    return rows.map((r) => r.kind);
  }
}
