// Shopper photos and try-on results, sealed with the job's secret (seal.ts) and deleted with their job
// (TTL, cancel, compliance): the rows cascade.
import type { SqlDatabase } from '../db/sql-database.js';
import { sniffImageType } from './image-type.js';
import { seal, unseal } from './seal.js';

export type ImageKind = 'photo' | 'result';

export interface StoredImage {
  mime: string;
  bytes: Buffer;
}

const MIME = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', heic: 'image/heic' } as const;

export class PhotoStore {
  constructor(private readonly db: SqlDatabase) {}

  async put(jobId: string, kind: ImageKind, bytes: Buffer, secret: string): Promise<void> {
    await this.db.run(
      `INSERT INTO sealed_images (job_id, kind, sealed) VALUES (?, ?, ?)
       ON CONFLICT (job_id, kind) DO UPDATE SET sealed = excluded.sealed`,
      [jobId, kind, seal(bytes, secret, jobId, kind)],
    );
  }

  /** The image, or undefined when there is none or the secret does not open it. */
  async get(jobId: string, kind: ImageKind, secret: string): Promise<StoredImage | undefined> {
    const row = await this.db.get<{ sealed: Buffer | Uint8Array }>('SELECT sealed FROM sealed_images WHERE job_id = ? AND kind = ?', [jobId, kind]);
    const bytes = row && unseal(Buffer.from(row.sealed), secret, jobId, kind);
    if (!bytes) return undefined;
    const type = sniffImageType(bytes);
    return { mime: type ? MIME[type] : 'application/octet-stream', bytes };
  }

  async kindsHeld(jobId: string): Promise<ImageKind[]> {
    const rows = await this.db.all<{ kind: ImageKind }>('SELECT kind FROM sealed_images WHERE job_id = ? ORDER BY kind', [jobId]);
    return rows.map((r) => r.kind);
  }
}
