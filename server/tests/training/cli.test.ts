// npm run train end to end on a storefront catalog export (with an unreadable image and a keyword filter),
// and its errors for bad flags.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';
import { SD_TINY } from './helpers.js';

let root: string;
const train = (args: string[]) => runScript('train.ts', args);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'train-cli-'));
  const data = path.join(root, 'export');
  await mkdir(path.join(data, 'images'), { recursive: true });
  await sharp({ create: { width: 80, height: 64, channels: 3, background: '#111111' } }).jpeg().toFile(path.join(data, 'images', 'dress.jpg'));
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#eeeeee' } }).png().toFile(path.join(data, 'images', 'coat.png'));
  await writeFile(path.join(data, 'images', 'broken.jpg'), 'truncated');
  const lines = [
    { image: 'images/dress.jpg', title: 'Latex short black dress', product_type: 'Dress', tags: ['latex'], description: '<b>Shiny</b>', category: 'Dresses' },
    { image: 'images/coat.png', title: 'Wool coat', product_type: 'Coat', tags: ['winter'], description: '', category: 'Coats' },
    { image: 'images/broken.jpg', title: 'Latex gloves', product_type: 'Gloves', tags: [], description: '', category: '' },
  ];
  await writeFile(path.join(data, 'catalog.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm run train', () => {
  it('trains a LoRA on a catalog export and prints the dataset report and a summary', async () => {
    const out = path.join(root, 'out');
    const r = await train(['--data', path.join(root, 'export'), '--keywords', 'latex', '--base', SD_TINY, '--out', out, '--mode', 'lora', '--steps', '2', '--resolution', '64']);
    expect(r.stderr).toMatch(/unreadable: .*broken\.jpg/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dataset: catalog-export, 2 pairs, kept 1, dropped 1 by keywords, 1 unreadable/);
    expect(r.stdout).toMatch(/completed: 2 steps/);
    expect((await stat(path.join(out, 'final', 'lora.safetensors'))).size).toBeGreaterThan(1000);
  });

  it('rejects bad flags with a message that names them', async () => {
    const bad = await train(['--data', path.join(root, 'export'), '--base', SD_TINY, '--out', path.join(root, 'x'), '--resolution', '60']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/resolution must be a multiple of 8/);
    const missing = await train(['--data', path.join(root, 'export'), '--out', path.join(root, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--base is required/);
    const nan = await train(['--data', path.join(root, 'export'), '--base', SD_TINY, '--out', path.join(root, 'x'), '--steps', 'many']);
    expect(nan.stderr).toMatch(/--steps must be a number, got "many"/);
    const offloadFull = await train(['--data', path.join(root, 'export'), '--base', SD_TINY, '--out', path.join(root, 'x'), '--mode', 'full', '--offload-weights']);
    expect(offloadFull.code).toBe(2);
    expect(offloadFull.stderr).toMatch(/--offload-weights trains LoRAs only/);
  });

  it('trains a LoRA with the UNet offloaded to host memory (--offload-weights)', async () => {
    const out = path.join(root, 'offloaded');
    const r = await train(['--data', path.join(root, 'export'), '--base', SD_TINY, '--out', out, '--mode', 'lora', '--steps', '2', '--resolution', '64', '--offload-weights']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/completed: 2 steps/);
    expect((await stat(path.join(out, 'final', 'lora.safetensors'))).size).toBeGreaterThan(1000);
  });
});
