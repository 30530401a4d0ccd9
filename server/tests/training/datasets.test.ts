// The four dataset layouts, keyword filtering, unreadable images, and image preparation, on real files.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, loadDataset, parseKeywords } from '../../src/training/datasets/index.js';
import { loadTrainingImage } from '../../src/training/augment.js';
import { randomMask } from '../../src/training/masks.js';

let root: string;

async function solid(file: string, rgb: [number, number, number], width = 24, height = 16): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'train-ds-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('dataset layouts', () => {
  it('(a) images + captions file, one line per image in file-name order, keyword-filtered', async () => {
    const dir = path.join(root, 'a');
    await mkdir(dir);
    await solid(path.join(dir, 'img2.png'), [0, 0, 0]);
    await solid(path.join(dir, 'img10.png'), [255, 255, 255]);
    await solid(path.join(dir, 'img1.png'), [255, 0, 0]);
    await writeFile(path.join(dir, 'broken.jpg'), 'not a jpeg');
    const captions = path.join(root, 'captions.txt');
    // broken.jpg sorts first: its caption line is consumed and the image skipped as unreadable.
    await writeFile(captions, 'broken\nA LATEX short black dress\nnothing here\nWhite Oversized Coat, wool\n');
    const { examples, report } = await loadDataset({
      data: dir,
      captions,
      keywords: parseKeywords('latex short black dress, pantyhose, white oversized coat'),
    });
    expect(report.format).toBe('captions-file');
    expect(report.unreadable.map((u) => path.basename(u.image))).toEqual(['broken.jpg']);
    expect(report.total).toBe(3);
    expect(report.kept).toBe(2);
    expect(report.dropped).toBe(1);
    expect(examples.map((e) => path.basename(e.image))).toEqual(['img1.png', 'img10.png']);
    expect(examples[1].caption).toBe('White Oversized Coat, wool');
  });

  it('(a) rejects a captions file whose line count differs from the image count, naming both', async () => {
    const captions = path.join(root, 'short.txt');
    await writeFile(captions, 'one\n');
    await expect(loadDataset({ data: path.join(root, 'a'), captions })).rejects.toThrow(/1 caption line\(s\) but .* 4 image\(s\)/);
  });

  it('(b) name.jpg + name.txt pairs; an image without a caption is skipped with a warning', async () => {
    const dir = path.join(root, 'b');
    await mkdir(dir);
    await solid(path.join(dir, 'x.png'), [0, 0, 255]);
    await writeFile(path.join(dir, 'x.txt'), 'blue pantyhose\n');
    await solid(path.join(dir, 'y.png'), [0, 255, 0]);
    const { examples, report } = await loadDataset({ data: dir });
    expect(report.format).toBe('paired-folder');
    expect(examples).toEqual([{ image: path.join(dir, 'x.png'), caption: 'blue pantyhose' }]);
    expect(report.warnings.join()).toMatch(/y\.png has no caption file y\.txt/);
  });

  it('(c) a JSONL manifest {image, text}; a bad line is a warning naming the line', async () => {
    const dir = path.join(root, 'c');
    await mkdir(dir);
    await solid(path.join(dir, 'p.png'), [9, 9, 9]);
    const manifest = path.join(dir, 'train.jsonl');
    await writeFile(manifest, '{"image":"p.png","text":"grey shirt"}\n{"image":"p.png"}\n\nnot json\n');
    const { examples, report } = await loadDataset({ data: manifest });
    expect(report.format).toBe('jsonl-manifest');
    expect(examples).toEqual([{ image: path.join(dir, 'p.png'), caption: 'grey shirt' }]);
    expect(report.warnings).toHaveLength(2);
    expect(report.warnings[0]).toMatch(/line 2 skipped: text/);
  });

  it('(d) the storefront catalog export: caption from title, type, tags and HTML-free description', async () => {
    const dir = path.join(root, 'd');
    await mkdir(path.join(dir, 'images'), { recursive: true });
    await solid(path.join(dir, 'images', '1.png'), [0, 0, 0]);
    await solid(path.join(dir, 'images', '2.png'), [250, 250, 250]);
    const lines = [
      { image: 'images/1.png', title: 'Latex short black dress', product_type: 'Dress', tags: ['latex', 'party'], description: '<p>Glossy &amp; tight</p>', category: 'Apparel > Dresses' },
      { image: 'images/2.png', title: 'Linen shirt', product_type: 'Shirt', tags: [], description: '', category: '' },
    ];
    await writeFile(path.join(dir, 'catalog.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    const { examples, report } = await loadDataset({ data: dir, keywords: ['LATEX'] });
    expect(report.format).toBe('catalog-export');
    expect(report).toMatchObject({ total: 2, kept: 1, dropped: 1 });
    expect(examples[0].caption).toBe('Latex short black dress, Dress, latex, party, Glossy & tight');
  });

  it('says clearly when nothing is left', async () => {
    await expect(loadDataset({ data: path.join(root, 'd'), keywords: ['pantyhose'] })).rejects.toThrow(DatasetError);
    await expect(loadDataset({ data: path.join(root, 'nope') })).rejects.toThrow(/does not exist/);
  });
});

describe('image preparation', () => {
  it('center-crops the short side to the resolution, scales to [-1, 1], flips on request', async () => {
    const file = path.join(root, 'halves.png');
    // Left half red, right half blue, 32x16: after resize to 16 high and a center crop 16x16 both halves remain.
    const raw = Buffer.alloc(32 * 16 * 3);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) raw[(y * 32 + x) * 3 + (x < 16 ? 0 : 2)] = 255;
    await sharp(raw, { raw: { width: 32, height: 16, channels: 3 } }).png().toFile(file);
    const img = await loadTrainingImage(file, { resolution: 16 }, { cropX: 0, cropY: 0, flip: 0 });
    expect(img.length).toBe(16 * 16 * 3);
    expect(Math.min(...img)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...img)).toBeLessThanOrEqual(1);
    const pixel = (a: Float32Array, x: number) => [a[x * 3], a[x * 3 + 2]];
    expect(pixel(img, 0)).toEqual([1, -1]); // red on the left
    const flipped = await loadTrainingImage(file, { resolution: 16, flip: true }, { cropX: 0, cropY: 0, flip: 0.2 });
    expect(pixel(flipped, 0)).toEqual([-1, 1]);
    const left = await loadTrainingImage(file, { resolution: 16, crop: 'random' }, { cropX: 0, cropY: 0, flip: 1 });
    expect(pixel(left, 15)).toEqual([1, -1]); // the crop at x = 0 is all red
    await expect(loadTrainingImage(file, { resolution: 12 }, { cropX: 0, cropY: 0, flip: 1 })).rejects.toThrow(/multiple of 8/);
  });

  it('random inpainting masks cover part of the image', () => {
    const m = randomMask(32, [0.7, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const covered = m.reduce((a, b) => a + b, 0) / m.length;
    expect(covered).toBeGreaterThan(0.1);
    expect(covered).toBeLessThan(0.9);
    expect(randomMask(8, [0, 0.05, 0, 0, 0, 0]).every((v) => v === 1)).toBe(true);
  });
});
