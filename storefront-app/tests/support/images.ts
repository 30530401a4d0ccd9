// Upload fixtures made with sharp at test time (plus the real person photos in ../shared, read in place).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const personPhoto = (name = 'p03_full_man_tee_jeans.jpg') => fs.readFileSync(path.join(SHARED_DIR, 'fixtures/photos/person', name));

const gradient = (width: number, height: number) => {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    data[i] = (x * 255) / width;
    data[i + 1] = (y * 255) / height;
    data[i + 2] = 128;
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
};

export const jpeg = (w = 320, h = 480) => gradient(w, h).jpeg().toBuffer();
export const png = (w = 320, h = 480) => gradient(w, h).png().toBuffer();
export const webp = (w = 320, h = 480) => gradient(w, h).webp().toBuffer();
export const gif = () => gradient(200, 200).gif().toBuffer();

/** A landscape JPEG whose EXIF says "rotate 90° clockwise" (how phones store portrait photos), with GPS-like metadata. */
export const rotatedJpegWithExif = (w = 480, h = 320) =>
  gradient(w, h)
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'Phone 12', Copyright: 'Shopper Name' } })
    .jpeg()
    .toBuffer();

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
  return out;
}

/** The IHDR of a `side`×`side` 8-bit greyscale PNG (deflate, no interlace). */
function greyHeader(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 0, 0, 0, 0], 8);
  return pngChunk('IHDR', header);
}

/**
 * A valid 8000×8000 greyscale PNG (64 megapixels, over the 40 MP limit) of about 60 KB: a decompression bomb.
 * Written chunk by chunk (encoding it with sharp takes seconds).
 */
export function pngBomb(side = 8000): Buffer {
  const rows = zlib.deflateSync(Buffer.alloc((side + 1) * side), { level: 9 }); // filter byte 0 + black pixels per row
  return Buffer.concat([PNG_SIGNATURE, greyHeader(side), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Over the 10 MiB upload limit: random bytes after a JPEG header (never decoded: the size limit comes first). */
export const hugeUpload = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(11 * 1024 * 1024, 7)]);

export const truncated = async () => {
  const full = await jpeg(640, 960);
  return full.subarray(0, Math.floor(full.length / 2));
};

/** A JPEG header followed by garbage. */
export const corrupt = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43]), Buffer.alloc(4096, 0x5a)]);

export const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The start of an iPhone HEIC file (ISO-BMFF `ftyp` box, brand heic) followed by filler. */
export const heicHeader = () => {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'latin1');
  ftyp.write('mif1heic', 16, 'latin1');
  return Buffer.concat([ftyp, Buffer.alloc(2048, 0x11)]);
};

/**
 * A valid `side`×`side` black greyscale PNG (20000 → 400 megapixels in about 400 KB): more pixels than sharp's
 * own default limit. Compressed row by row, so the 400 MB of pixels never sit in memory.
 */
export async function hugePng(side = 20_000): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (d: Buffer) => parts.push(d));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(side + 1);
  for (let y = 0; y < side; y++) if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end();
  await ended;
  return Buffer.concat([PNG_SIGNATURE, greyHeader(side), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A small JPEG whose frame header (SOF0) claims `width`×`height`: what a crafted upload looks like. */
export async function jpegClaiming(width = 65_500, height = 65_500): Promise<Buffer> {
  const bytes = await gradient(64, 64).jpeg({ progressive: false }).toBuffer();
  const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
  bytes.writeUInt16BE(height, sof + 5);
  bytes.writeUInt16BE(width, sof + 7);
  return bytes;
}
