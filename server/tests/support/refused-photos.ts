// Photos the try-on refuses for a reason the shopper can fix, made from the shared person photos: two people side
// by side, and a full-body photo cut off below the chest.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const photos = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/photos');

/** Two of the shared person photos side by side, at the same height. */
export async function severalPeople(): Promise<Buffer> {
  const [a, b] = ['p03_full_man_tee_jeans.jpg', 'p01_half_woman_sleeveless.jpg'].map((f) => fs.readFileSync(path.join(photos, 'person', f)));
  const [left, right] = await Promise.all([a, b].map((img) => sharp(img).rotate().resize({ height: 800 }).jpeg().toBuffer({ resolveWithObject: true })));
  return sharp({ create: { width: left.info.width + right.info.width, height: 800, channels: 3, background: '#ffffff' } })
    .composite([{ input: left.data, left: 0, top: 0 }, { input: right.data, left: left.info.width, top: 0 }])
    .jpeg()
    .toBuffer();
}

/** A full-body photo cut off below the chest: the hips an upper garment is placed from are outside the frame. */
export async function cutOffAtTheChest(): Promise<Buffer> {
  const person = fs.readFileSync(path.join(photos, 'person', 'p03_full_man_tee_jeans.jpg'));
  const { width = 0, height = 0 } = await sharp(await sharp(person).rotate().toBuffer()).metadata();
  return sharp(person).rotate().extract({ left: 0, top: 0, width, height: Math.round(height * 0.38) }).jpeg().toBuffer();
}

