// Photos and results are stored sealed: AES-256-GCM under a key derived (HKDF-SHA256) from the job's secret,
// which only the shopper's handle carries. Deleting the row is then final on every database and in every
// backup or WAL file: what may linger there is ciphertext whose key was never stored.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyFor = (secret: string, jobId: string, kind: string): Buffer =>
  Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from(jobId, 'utf8'), `tryon-image:${kind}`, 32));

export function seal(plain: Buffer, secret: string, jobId: string, kind: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, jobId, kind), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The plaintext, or undefined when the secret is not the one it was sealed with. */
export function unseal(sealed: Buffer, secret: string, jobId: string, kind: string): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, jobId, kind), sealed.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
