// The CLIs as a person runs them: npm run tryon (result, mask, debug pictures; refusals), npm run tryon:gallery
// and npm run weights against a local Hub-layout server.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { garments, persons, photosDir } from './fixtures.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-cli-'));
const photo = path.join(photosDir, 'person', persons()[2].file);
const garmentFile = path.join(photosDir, 'garment', garments()[1].file);
const env = { ...process.env, TRYON_BACKEND: 'wasm' };

async function cli(args: string[], script = 'scripts/tryon.ts'): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [script, ...args], { cwd: repoRoot, env, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run tryon:gallery', () => {
  it('writes one page with a cell per person × garment (result, mask overlay, time, category), and refuses missing flags', async () => {
    const [personsDir, garmentsDir, out] = ['persons', 'garments', 'gallery'].map((d) => path.join(tmp, d));
    mkdirSync(personsDir, { recursive: true });
    mkdirSync(garmentsDir, { recursive: true });
    symlinkSync(photo, path.join(personsDir, path.basename(photo)));
    for (const g of garments().slice(0, 2)) symlinkSync(path.join(photosDir, 'garment', g.file), path.join(garmentsDir, g.file));
    const r = await cli(['--persons', personsDir, '--garments', garmentsDir, '--out', out], 'scripts/tryon-gallery.ts');
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const g of garments().slice(0, 2)) expect(html).toContain(`<th>${g.file}</th>`);
    expect(html.match(/<img src="p0-g\d\.png"/g)).toHaveLength(2);
    expect(html.match(/\d+\.\d s — (upper|lower|dress)/g)).toHaveLength(2);
    for (const file of ['p0-g0.png', 'p0-g0-mask.png', 'p0-g1.png', 'p0-g1-mask.png']) {
      expect((await sharp(path.join(out, file)).metadata()).format).toBe('png');
    }
    const missing = await cli(['--persons', personsDir], 'scripts/tryon-gallery.ts');
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('--garments is required')]);
  });
});

describe('npm run tryon', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the result, the mask and the debug pictures', async () => {
    const out = path.join(tmp, 'result.png');
    const maskOut = path.join(tmp, 'mask.png');
    const debug = path.join(tmp, 'debug');
    const r = await cli(['--person', photo, '--garment', garmentFile, '--category', 'upper', '--out', out, '--mask-out', maskOut, '--debug-dir', debug]);
    expect(r.code, r.stderr).toBe(0);
    const input = await sharp(photo).metadata();
    expect(await sharp(out).metadata()).toMatchObject({ width: input.width, height: input.height, format: 'png' });
    expect(await sharp(maskOut).metadata()).toMatchObject({ width: input.width, height: input.height, channels: 1 });
    expect(readdirSync(debug).sort()).toEqual(['garment-cutout.png', 'keypoints.png', 'mask-overlay.png', 'mask.png']);
    expect(r.stderr).toMatch(/upper via warp: analysis \d+ ms, mask \d+ ms, garment \d+ ms, generation \d+ ms, compositing \d+ ms/);
  });

  it('refuses a photo without a person with the reason and exit code 1, and bad flags with usage and 2', async () => {
    const refused = await cli(['--person', garmentFile, '--garment', garmentFile, '--category', 'upper', '--out', path.join(tmp, 'x.png')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/try-on refused \(NO_PERSON\): no person found in the photo/);
    const usage = await cli(['--person', photo, '--garment', garmentFile, '--out', path.join(tmp, 'y.png'), '--engine', 'magic']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--engine must be warp or diffusion, got "magic"/);
    const model = path.join(photosDir, '../sd-tiny/models/sd-tiny-inpaint');
    const catvton = await cli(['--person', photo, '--garment', garmentFile, '--out', path.join(tmp, 'z.png'), '--model', model, '--catvton', tmp]);
    expect(catvton.code).toBe(2);
    expect(catvton.stderr).toMatch(/CC BY-NC-SA 4\.0 \(non-commercial use only\): add --allow-noncommercial/);
  });

  it('refines the warp with the garment as an IP-Adapter image prompt (--ip-adapter, h94 layout)', async () => {
    const repo = path.join(tmp, 'ip-adapter');
    const fixtures = path.join(photosDir, '../sd-tiny-ext/ip-adapter/models');
    mkdirSync(path.join(repo, 'models'), { recursive: true });
    symlinkSync(path.join(fixtures, 'ip-adapter-plus_sd15-tiny.safetensors'), path.join(repo, 'models/ip-adapter-plus_sd15.safetensors'));
    symlinkSync(path.join(fixtures, 'image_encoder'), path.join(repo, 'models/image_encoder'));
    const out = path.join(tmp, 'ip.png');
    const model = path.join(photosDir, '../sd-tiny/models/sd-tiny-inpaint');
    const r = await cli(['--person', photo, '--garment', garmentFile, '--category', 'upper', '--model', model, '--ip-adapter', repo, '--steps', '2', '--height', '128', '--title', 'a tee', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/upper via diffusion: analysis \d+ ms/);
    expect((await sharp(out).metadata()).format).toBe('png');
  });
});
