// What a shopper holds for a job: `<id>-<secret>`. The id names the job row (and may be logged); the secret
// proves the holder started the job. The app keeps only the secret's SHA-256, and seals the job's photo and
// result with a key derived from the secret (photos/seal.ts), so without the handle they cannot be read.
// The widget builds its event and cancel URLs from the handle, so the handle is what the API calls `jobId`.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface JobHandle {
  id: string;
  secret: string;
}

const HANDLE = /^([0-9a-f]{32})-([0-9a-f]{32})$/;

export const newJobHandle = (): JobHandle => ({ id: randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex') });

export const formatJobHandle = (h: JobHandle): string => `${h.id}-${h.secret}`;

export function parseJobHandle(text: string): JobHandle | undefined {
  const m = HANDLE.exec(text);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export const secretHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function secretMatches(secret: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const given = Buffer.from(secretHash(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** A path or URL with every job secret replaced, for log lines. */
export const redactJobSecrets = (text: string): string => text.replace(/\b([0-9a-f]{32})-[0-9a-f]{32}\b/g, '$1-[secret]');
