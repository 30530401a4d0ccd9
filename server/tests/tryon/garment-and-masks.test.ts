// Garment preparation, category reading, and the mask/warp building blocks, on real product photos and
// small synthetic images.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fitTps } from '../../src/tryon/engines/warp/tps.js';
import { resolveCategory } from '../../src/tryon/garment/category.js';
import { GARMENT_CANVAS, prepareGarment } from '../../src/tryon/garment/prepare.js';
import { decodeRgba } from '../../src/tryon/image-io.js';
import { dilate, emptyMask, erode, feather, fillCapsule, fillPolygon } from '../../src/tryon/masks/raster.js';
import type { Category, Mask } from '../../src/tryon/types.js';
import { garments } from './fixtures.js';

const alphaAt = (img: { width: number; data: Uint8Array }, x: number, y: number): number => img.data[(Math.round(y) * img.width + Math.round(x)) * 4 + 3];

describe('prepareGarment', () => {
  for (const g of garments()) {
    it(`cuts out ${g.file} and finds its landmarks`, async () => {
      const prepared = prepareGarment(await decodeRgba(g.bytes, 'garment'), g.category as Category);
      const { image, landmarks: lm } = prepared;
      expect(prepared.backgroundRemoved).toBe(true);
      expect(Math.max(image.width, image.height)).toBe(GARMENT_CANVAS);
      // Backdrop gone at the corners, garment kept in the middle of its body.
      for (const [x, y] of [[0, 0], [image.width - 1, 0], [0, image.height - 1], [image.width - 1, image.height - 1]]) {
        expect(alphaAt(image, x, y)).toBe(0);
      }
      expect(alphaAt(image, (lm.topLeft.x + lm.bottomRight.x) / 2, (lm.topLeft.y + lm.bottomRight.y) / 2)).toBe(255);
      expect(lm.topLeft.x).toBeLessThan(lm.topRight.x);
      expect(lm.bottomLeft.x).toBeLessThan(lm.bottomRight.x);
      expect(lm.bottomLeft.y - lm.topLeft.y).toBeGreaterThan(0.4 * image.height);
      // The body is a good part of the garment's width (a tie or a strap is not the hem).
      expect(lm.bodyWidth).toBeGreaterThan(0.3 * image.width);
    });
  }

  it('ignores a tie hanging below the hem', async () => {
    const shirt = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#ffffff' } })
      .composite([
        { input: { create: { width: 200, height: 240, channels: 3, background: '#2040c0' } }, left: 50, top: 40 },
        { input: { create: { width: 14, height: 90, channels: 3, background: '#2040c0' } }, left: 220, top: 280 },
      ])
      .png()
      .toBuffer();
    const { landmarks } = prepareGarment(await decodeRgba(shirt, 'garment'), 'upper');
    expect(landmarks.bottomRight.x - landmarks.bottomLeft.x).toBeGreaterThan(0.9 * landmarks.bodyWidth);
    expect(landmarks.bodyWidth).toBeGreaterThan(200);
  });

  it('keeps white parts inside the garment (only backdrop connected to the border goes)', async () => {
    const shirt = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ffffff' } })
      .composite([
        { input: { create: { width: 120, height: 120, channels: 3, background: '#101010' } }, left: 40, top: 40 },
        { input: { create: { width: 30, height: 30, channels: 3, background: '#ffffff' } }, left: 85, top: 85 },
      ])
      .png()
      .toBuffer();
    const { image } = prepareGarment(await decodeRgba(shirt, 'garment'), 'upper');
    expect(alphaAt(image, image.width / 2, image.height / 2)).toBe(255);
  });

  it('uses a transparent PNG as it is', async () => {
    const png = await sharp({ create: { width: 200, height: 260, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 120, height: 180, channels: 4, background: '#c03030ff' } }, left: 40, top: 40 }])
      .png()
      .toBuffer();
    const prepared = prepareGarment(await decodeRgba(png, 'garment'), 'upper');
    expect(prepared.backgroundRemoved).toBe(true);
    expect(prepared.landmarks.bodyWidth).toBeGreaterThan(0.5 * prepared.image.width);
  });
});

describe('resolveCategory', () => {
  it.each([
    ['Slim fit jeans', undefined, 'lower'],
    ['Linen shirt dress', undefined, 'dress'],
    ['Organic cotton T-shirt', undefined, 'upper'],
    ['Pleated midi skirt', undefined, 'lower'],
    ['Anything', 'dress', 'dress'],
    ['Anything', 'UPPER_BODY', 'upper'],
    ['Wide-leg trousers', 'GARMENT_CATEGORY_UNSPECIFIED', 'lower'],
  ])('%s (given %s) -> %s', (title, given, expected) => {
    expect(resolveCategory(given, title)).toBe(expected);
  });
});

describe('mask and warp building blocks', () => {
  it('feathering reaches exactly 3 radii and no further', () => {
    const m = emptyMask(100, 40);
    fillPolygon(m, [{ x: 35, y: 0 }, { x: 75, y: 0 }, { x: 75, y: 40 }, { x: 35, y: 40 }]);
    const soft = feather(m, 4);
    const row = Array.from({ length: 100 }, (_, x) => soft.data[20 * 100 + x]);
    expect(row[55]).toBeCloseTo(1, 5);
    expect(row[35 - 12]).toBeGreaterThan(0);
    expect(row[74 + 12]).toBeGreaterThan(0);
    expect(row.slice(0, 35 - 12).every((v) => v < 1e-6)).toBe(true);
    expect(row.slice(74 + 13).every((v) => v < 1e-6)).toBe(true);
  });

  it('dilation grows a capsule by its radius', () => {
    const m = emptyMask(60, 60);
    fillCapsule(m, { x: 30, y: 10 }, { x: 30, y: 50 }, 3);
    const grown = dilate(m, 5);
    expect(grown.data[30 * 60 + 30 + 7]).toBe(1);
    expect(grown.data[30 * 60 + 30 + 10]).toBe(0);
  });

  it('dilation and erosion (swept only round the on pixels) match the square window pixel by pixel', () => {
    // Brute force: on where any (dilate) or every (erode) pixel of the (2r+1)^2 window inside the image is on.
    const brute = (m: Mask, r: number, every: boolean): number[] =>
      Array.from(m.data, (_, i) => {
        const [x, y] = [i % m.width, Math.floor(i / m.width)];
        let any = false;
        let all = true;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const [u, v] = [x + dx, y + dy];
            if (u < 0 || v < 0 || u >= m.width || v >= m.height) continue;
            const on = m.data[v * m.width + u] > 0;
            any ||= on;
            all &&= on;
          }
        }
        return (every ? all : any) ? 1 : 0;
      });
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 40; trial++) {
      const m = emptyMask(10 + Math.floor(random() * 40), 10 + Math.floor(random() * 40));
      // A dense blob (erosion has something to remove) or a few specks (dilation near the borders).
      const dense = trial % 2 === 0;
      const [cx, cy] = [random() * m.width, random() * m.height];
      for (let i = 0; i < m.data.length; i++) {
        const near = Math.hypot((i % m.width) - cx, Math.floor(i / m.width) - cy) < m.width / 3;
        m.data[i] = (dense ? near && random() < 0.97 : random() < 0.02) ? 1 : 0;
      }
      const r = 1 + (trial % 6);
      expect(Array.from(dilate(m, r).data), `dilate trial ${trial}`).toEqual(brute(m, r, false));
      expect(Array.from(erode(m, r).data), `erode trial ${trial}`).toEqual(brute(m, r, true));
    }
    expect(Array.from(dilate(emptyMask(8, 8), 3).data).every((v) => v === 0)).toBe(true);
  });

  it('the thin-plate spline passes through its control points and is affine on affine data', () => {
    const from = [{ x: 10, y: 10 }, { x: 90, y: 12 }, { x: 12, y: 120 }, { x: 95, y: 118 }, { x: 50, y: 60 }];
    const to = from.map((p) => ({ x: 2 * p.x + 5, y: 0.5 * p.y - 3 }));
    const tps = fitTps(from, to);
    for (let i = 0; i < from.length; i++) {
      const p = tps.map(from[i].x, from[i].y);
      expect(p.x).toBeCloseTo(to[i].x, 6);
      expect(p.y).toBeCloseTo(to[i].y, 6);
    }
    const q = tps.map(33, 77);
    expect(q.x).toBeCloseTo(71, 5);
    expect(q.y).toBeCloseTo(35.5, 5);
  });
});
