// npm run weights' downloader against a local server that serves the tiny fixture models in the Hugging
// Face Hub's URL layout (resolve/<revision>/<path>, LFS files redirected with X-Linked-Etag = sha256).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadModel, DownloadError } from '../../src/tryon/weights/download.js';
import { findKnownModel, KNOWN_MODELS } from '../../src/tryon/weights/known-models.js';
import { sdTinyDir } from './fixtures.js';
import { scanModelsDir } from '../../src/model-store/scan.js';
import { loadLora } from '../../src/engine/index.js';
import { writePeftLora } from '../support/random-lora.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-weights-'));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** repo -> local folder holding its files. */
const repos = new Map<string, string>([
  ['stable-diffusion-v1-5/stable-diffusion-inpainting', path.join(sdTinyDir, 'models/sd-tiny-inpaint')],
  ['zhengchong/CatVTON', path.join(tmp, 'hub/catvton')],
  ['madebyollin/taesd', path.join(sdTinyDir, '../sd-tiny-ext/models/taesd-tiny')],
  ['latent-consistency/lcm-lora-sdv1-5', path.join(tmp, 'hub/lcm-lora')],
  ['h94/IP-Adapter', path.join(tmp, 'hub/ip-adapter')],
]);

interface ServerControl {
  /** Paths to serve with a flipped byte (a corrupt mirror). */
  corrupt: Set<string>;
  /** Paths whose next GET is cut off after this many bytes. */
  cutAfter: Map<string, number>;
  requests: { method: string; path: string; range?: string }[];
}

function startHub(control: ServerControl): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    control.requests.push({ method: req.method ?? '', path: url.pathname, range: req.headers.range });
    const cdn = url.pathname.startsWith('/cdn/');
    const m = /^\/(?:cdn\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const dir = m ? repos.get(m[1]) : undefined;
    const rel = m ? decodeURIComponent(m[3]) : '';
    const file = dir ? path.join(dir, rel) : '';
    if (!dir || !existsSync(file)) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    let body = readFileSync(file);
    const lfs = rel.endsWith('.safetensors');
    const headers: Record<string, string> = lfs
      ? { 'x-linked-etag': `"${sha256(body)}"`, 'x-linked-size': String(body.length) }
      : { etag: `"${createHash('sha1').update(body).digest('hex')}"` };
    if (lfs && !cdn) {
      res.writeHead(302, { ...headers, location: `/cdn${url.pathname}` }).end();
      return;
    }
    if (control.corrupt.has(rel)) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= body.length && range) {
      res.writeHead(416).end();
      return;
    }
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(slice.length), 'accept-ranges': 'bytes' });
    const cut = control.cutAfter.get(rel);
    if (cut !== undefined) {
      control.cutAfter.delete(rel);
      // Send part of the body, give the client time to read it, then drop the connection.
      res.write(slice.subarray(0, cut), () => setTimeout(() => res.destroy(), 100));
      return;
    }
    res.end(slice);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('npm run weights downloader', () => {
  const control: ServerControl = { corrupt: new Set(), cutAfter: new Map(), requests: [] };
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    // Tiny stand-ins for the CatVTON and TAESD repositories.
    mkdirSync(path.join(tmp, 'hub/catvton/mix-48k-1024/attention'), { recursive: true });
    writeFileSync(path.join(tmp, 'hub/catvton/mix-48k-1024/attention/model.safetensors'), Buffer.alloc(300_000, 7));
    // h94/IP-Adapter's layout with the tiny fixture adapter and image encoder.
    mkdirSync(path.join(tmp, 'hub/ip-adapter/models/image_encoder'), { recursive: true });
    const ipFixtures = path.join(sdTinyDir, '../sd-tiny-ext/ip-adapter/models');
    writeFileSync(path.join(tmp, 'hub/ip-adapter/models/ip-adapter-plus_sd15.safetensors'), readFileSync(path.join(ipFixtures, 'ip-adapter-plus_sd15-tiny.safetensors')));
    for (const f of ['config.json', 'model.safetensors']) writeFileSync(path.join(tmp, 'hub/ip-adapter/models/image_encoder', f), readFileSync(path.join(ipFixtures, 'image_encoder', f)));
    // The LCM-LoRA stand-in: a PEFT-format LoRA for the tiny UNet, as the real one's format.
    mkdirSync(path.join(tmp, 'hub/lcm-lora'), { recursive: true });
    await writePeftLora(path.join(tmp, 'hub/lcm-lora/pytorch_lora_weights.safetensors'), {
      weightsFile: path.join(sdTinyDir, 'models/sd-tiny/unet/diffusion_pytorch_model.safetensors'),
      modules: ['down_blocks.0.resnets.0.conv1'],
      rank: 2,
      alpha: 2,
      seed: 1,
    });
    server = await startHub(control);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('downloads the SD 1.5 inpainting layout, verifies LFS files by sha256, writes SHA256SUMS, reports progress', async () => {
    const model = findKnownModel('sd15-inpainting');
    const progress: string[] = [];
    const dir = path.join(tmp, 'models');
    const files = await downloadModel(model, { dir, endpoint, onProgress: (p) => progress.push(p.file) });
    expect(files.map((f) => f.file)).toEqual(model.files);
    const source = repos.get(model.repo)!;
    for (const f of files) {
      expect(readFileSync(f.path).equals(readFileSync(path.join(source, f.file))), f.file).toBe(true);
      expect(f.verified, f.file).toBe(f.file.endsWith('.safetensors'));
    }
    expect(new Set(progress)).toEqual(new Set(model.files));
    const sums = readFileSync(path.join(dir, model.name, 'SHA256SUMS'), 'utf8');
    expect(sums).toContain(`${sha256(readFileSync(path.join(source, 'unet/diffusion_pytorch_model.safetensors')))}  unet/diffusion_pytorch_model.safetensors`);
    expect(readdirSync(path.join(dir, model.name, 'unet')).some((n) => n.endsWith('.part'))).toBe(false);

    // A second run keeps the verified files and downloads nothing.
    control.requests.length = 0;
    const again = await downloadModel(model, { dir, endpoint });
    expect(again.every((f) => f.skipped)).toBe(true);
    expect(control.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('downloads TAESD, the LCM-LoRA and the IP-Adapter where the server finds them, each with its LICENCE', async () => {
    const dir = path.join(tmp, 'fast-models');
    for (const name of ['taesd', 'lcm-lora-sdv1-5', 'ip-adapter-plus-sd15']) {
      const files = await downloadModel(findKnownModel(name), { dir, endpoint });
      expect(files.filter((f) => f.file.endsWith('.safetensors')).every((f) => f.verified)).toBe(true);
    }
    const { models, problems } = await scanModelsDir(dir);
    expect(problems).toEqual([]);
    expect(models.map((m) => [m.name, m.kind, m.licence])).toEqual([
      ['ip-adapter-plus-sd15', 'ip-adapter', 'Apache-2.0 (adapter), MIT (image encoder)'],
      ['lcm-lora-sdv1-5', 'lora', 'OpenRAIL++ (commercial use allowed, use restrictions apply)'],
      ['taesd', 'taesd', 'MIT'],
    ]);
    expect(models.some((m) => m.nonCommercial)).toBe(false);
    const lcm = await loadLora(models[1].path);
    expect(lcm.format).toBe('peft');
    lcm.dispose();
  });

  it('resumes an interrupted download with a Range request', async () => {
    const model = findKnownModel('catvton');
    const dir = path.join(tmp, 'resume');
    const rel = model.files[0];
    control.cutAfter.set(rel, 100_000);
    const err = await downloadModel(model, { dir, endpoint }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const part = path.join(dir, 'catvton', rel + '.part');
    // What reached the disk before the cut (up to the bytes sent) is kept for the next run.
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(100_000);
    control.requests.length = 0;
    const resumed: number[] = [];
    const [file] = await downloadModel(model, { dir, endpoint, onProgress: (p) => resumed.push(p.resumedFrom) });
    expect(control.requests.find((r) => r.method === 'GET')?.range).toBe(`bytes=${kept}-`);
    expect(resumed[0]).toBe(kept);
    expect(file.verified).toBe(true);
    expect(readFileSync(file.path).equals(readFileSync(path.join(tmp, 'hub/catvton', rel)))).toBe(true);
    expect(existsSync(part)).toBe(false);
  });

  it('rejects a file whose sha256 does not match the server and removes the partial file', async () => {
    const model = findKnownModel('taesd');
    const dir = path.join(tmp, 'corrupt');
    control.corrupt.add('diffusion_pytorch_model.safetensors');
    const err = await downloadModel(model, { dir, endpoint }).catch((e: unknown) => e);
    control.corrupt.clear();
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(/diffusion_pytorch_model\.safetensors: sha256 [0-9a-f]{64} does not match the server's [0-9a-f]{64}/);
    expect(existsSync(path.join(dir, 'taesd/diffusion_pytorch_model.safetensors'))).toBe(false);
    expect(existsSync(path.join(dir, 'taesd/diffusion_pytorch_model.safetensors.part'))).toBe(false);
    const ok = await downloadModel(model, { dir, endpoint });
    expect(ok.map((f) => f.skipped)).toEqual([true, false]);
  });

  it('names unknown models and missing files', async () => {
    expect(() => findKnownModel('sdxl')).toThrow(`unknown model "sdxl"; known: ${KNOWN_MODELS.map((m) => m.name).join(', ')}`);
    const missing = { ...findKnownModel('taesd'), files: ['nope.json'] };
    await expect(downloadModel(missing, { dir: path.join(tmp, 'missing'), endpoint })).rejects.toThrow(/nope\.json: not found \(HTTP 404\)/);
    expect(KNOWN_MODELS.find((m) => m.name === 'catvton')?.nonCommercial).toBe(true);
  });
});
