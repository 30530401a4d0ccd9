// Downloads a known model's files from a Hugging Face Hub-compatible server
// (`<endpoint>/<repo>/resolve/<revision>/<path>`), with resume (HTTP Range on a .part file) and sha256
// checks against the Hub's `X-Linked-Etag` (the sha256 of LFS files). SHA256SUMS is written beside them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KnownModel } from './known-models.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export class DownloadError extends Error {
  override name = 'DownloadError';
}

export interface DownloadProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number | undefined;
  /** Bytes that were already on disk from an interrupted run. */
  readonly resumedFrom: number;
}

export interface DownloadOptions {
  /** The models directory; files go to <dir>/<model name>/<path>. */
  readonly dir: string;
  readonly endpoint?: string;
  readonly token?: string;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly signal?: AbortSignal;
}

export interface DownloadedFile {
  readonly file: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Whether the sha256 was checked against the server's (only LFS files carry one). */
  readonly verified: boolean;
  readonly skipped: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const size = (file: string): Promise<number | undefined> => stat(file).then((s) => s.size, () => undefined);

interface RemoteInfo {
  readonly sha256?: string;
  readonly size?: number;
  readonly url: string;
}

/** HEAD without following the redirect: the Hub puts the LFS sha256 and size on the first answer. */
async function remoteInfo(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<RemoteInfo> {
  const res = await fetch(url, { method: 'HEAD', redirect: 'manual', headers, signal });
  if (res.status === 401 || res.status === 403) throw new DownloadError(`${url}: HTTP ${res.status} (this model may need an access token: HF_TOKEN)`);
  if (res.status === 404) throw new DownloadError(`${url}: not found (HTTP 404)`);
  if (res.status >= 400) throw new DownloadError(`${url}: HTTP ${res.status}`);
  const etag = (res.headers.get('x-linked-etag') ?? res.headers.get('etag') ?? '').replace(/^W\//, '').replaceAll('"', '');
  const length = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
  const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
  return { sha256: SHA256.test(etag) ? etag : undefined, size: length ? Number(length) : undefined, url: location ? new URL(location, url).toString() : url };
}

async function downloadOne(model: KnownModel, file: string, opts: DownloadOptions): Promise<DownloadedFile> {
  const endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const url = `${endpoint}/${model.repo}/resolve/${encodeURIComponent(model.revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  const dest = path.join(opts.dir, model.name, ...file.split('/'));
  const part = `${dest}.part`;
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const info = await remoteInfo(url, headers, opts.signal);

  const existing = await size(dest);
  if (existing !== undefined && (info.size === undefined || existing === info.size)) {
    const sha = await sha256File(dest);
    if (!info.sha256 || sha === info.sha256) return { file, path: dest, sha256: sha, bytes: existing, verified: !!info.sha256, skipped: true };
  }

  await mkdir(path.dirname(dest), { recursive: true });
  let offset = (await size(part)) ?? 0;
  if (info.size !== undefined && offset > info.size) {
    await rm(part);
    offset = 0;
  }
  const res = await fetch(info.url, { headers: { ...headers, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) }, signal: opts.signal });
  if (res.status === 416 && offset === info.size) {
    // The .part is already complete.
  } else if (!res.ok || !res.body) {
    throw new DownloadError(`${url}: HTTP ${res.status}`);
  } else {
    // A server that ignores Range sends the whole file (200): start over.
    const resumedFrom = res.status === 206 ? offset : 0;
    const total = info.size ?? (res.headers.get('content-length') ? resumedFrom + Number(res.headers.get('content-length')) : undefined);
    let done = resumedFrom;
    opts.onProgress?.({ file, done, total, resumedFrom });
    // Each chunk is on disk before the next is read, so an interrupted run keeps all it received.
    const out = await open(part, resumedFrom > 0 ? 'a' : 'w');
    try {
      for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
        await out.write(chunk as Buffer);
        done += (chunk as Buffer).length;
        opts.onProgress?.({ file, done, total, resumedFrom });
      }
    } finally {
      await out.close();
    }
  }

  const bytes = (await size(part)) ?? 0;
  if (info.size !== undefined && bytes !== info.size) {
    throw new DownloadError(`${file}: got ${bytes} bytes, expected ${info.size} (run again to resume)`);
  }
  const sha = await sha256File(part);
  if (info.sha256 && sha !== info.sha256) {
    await rm(part, { force: true });
    throw new DownloadError(`${file}: sha256 ${sha} does not match the server's ${info.sha256}; the partial file was removed, run again`);
  }
  await rename(part, dest);
  return { file, path: dest, sha256: sha, bytes, verified: !!info.sha256, skipped: false };
}


/**
 * Downloads every file of `model` (skipping complete, verified ones) and writes <dir>/<name>/SHA256SUMS and
 * <dir>/<name>/LICENCE (its first line is what the server reports and gates non-commercial weights on).
 */
export async function downloadModel(model: KnownModel, opts: DownloadOptions): Promise<DownloadedFile[]> {
  const results: DownloadedFile[] = [];
  for (const file of model.files) results.push(await downloadOne(model, file, opts));
  const sums = results.map((r) => `${r.sha256}  ${r.file}`).join('\n') + '\n';
  await writeFile(path.join(opts.dir, model.name, 'SHA256SUMS'), sums);
  await writeFile(path.join(opts.dir, model.name, 'LICENCE'), `${model.licence}\n${model.nonCommercial ? 'non-commercial\n' : ''}source: ${model.repo}@${model.revision}\n`);
  return results;
}
