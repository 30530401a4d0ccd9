// Garments photographed on a model: the cut-out keeps the garment and leaves the model's face and hands
// behind. The shared person photos serve as on-model shots of their own top; flat product photos must
// come out exactly as the backdrop-colour cut-out made them.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { removeBackground } from '../../src/tryon/garment/background.js';
import { cutOutGarment } from '../../src/tryon/garment/cut-out.js';
import { decodeRgba } from '../../src/tryon/image-io.js';
import { loadPersonModels } from '../../src/tryon/person-analysis/models.js';
import type { Category, RgbaImage } from '../../src/tryon/types.js';
import { garments, persons } from './fixtures.js';
import { boxShare, labelsFor } from './labels.js';

const alpha = (img: RgbaImage): { width: number; height: number; data: Uint8Array } => {
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4 + 3];
  return { width: img.width, height: img.height, data };
};
const opaque = (v: number): boolean => v >= 128;

describe('garment cut-out on a model', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
    await loadPersonModels();
  });

  it('keeps the top and drops the face and hands', async () => {
    for (const person of persons()) {
      const photo = await decodeRgba(person.bytes, 'garment');
      const labels = labelsFor(person.file);
      const before = tf.memory().numTensors;
      const cut = await cutOutGarment(photo, 'upper');
      expect(tf.memory().numTensors).toBe(before);
      const old = alpha(removeBackground(photo).image);
      const now = alpha(cut.image);
      const face = boxShare(now, [labels.face], opaque);
      const hands = labels.hands.map((h) => boxShare(now, [h], opaque));
      const shirt = boxShare(now, labels.regions.upper, opaque);
      console.log(
        `${person.file}: onModel ${cut.onModel}; face ${boxShare(old, [labels.face], opaque).toFixed(3)} -> ${face.toFixed(3)}, ` +
          `hands ${labels.hands.map((h) => boxShare(old, [h], opaque).toFixed(3)).join('/')} -> ${hands.map((h) => h.toFixed(3)).join('/')}, ` +
          `top ${boxShare(old, labels.regions.upper, opaque).toFixed(3)} -> ${shirt.toFixed(3)}`,
      );
      expect(cut.onModel, person.file).toBe(true);
      expect(face, person.file).toBeLessThanOrEqual(0.05);
      for (const h of hands) expect(h, person.file).toBeLessThanOrEqual(0.05);
      expect(shirt, person.file).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('leaves flat product photos exactly as the backdrop cut-out made them', async () => {
    for (const g of garments()) {
      const photo = await decodeRgba(g.bytes, 'garment');
      const before = tf.memory().numTensors;
      const cut = await cutOutGarment(photo, g.category as Category);
      expect(tf.memory().numTensors).toBe(before);
      const old = removeBackground(photo);
      expect(cut.onModel, g.file).toBe(false);
      expect(cut.backgroundRemoved, g.file).toBe(old.backgroundRemoved);
      expect(Buffer.compare(Buffer.from(cut.image.data), Buffer.from(old.image.data)), g.file).toBe(0);
    }
  });
});
