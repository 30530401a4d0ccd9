// POST /proxy/tryon with every kind of upload, against the real app (standalone demo store, SQLite file) and
// a real gRPC server on loopback. Accepted photos must reach the inference server cleaned and resized.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_WORKING_SIZE } from '@fitting-room/proto';
import { preparePhoto } from '../src/photos/prepare-photo.js';
import * as img from './support/images.js';
import { tryOnForm, type UploadFields } from './support/http.js';
import { startScriptedInference, succeed, type ScriptedInference } from './support/scripted-inference.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let inference: ScriptedInference;
let app: TestApp;

beforeAll(async () => {
  inference = await startScriptedInference(succeed(2));
  // Generous per-minute limits: this file makes many uploads from one IP.
  app = await startTestApp({ grpcAddress: inference.address, config: { rateLimits: { perShopperPerMinute: 1000, perShopPerMinute: 1000 } } });
});
afterAll(async () => {
  await app.close();
  await inference.stop();
});

const tee = 'demo-coral-crew-tee';

interface Case {
  name: string;
  fields: () => Promise<UploadFields> | UploadFields;
  status: number;
  code?: string;
}

const cases: Case[] = [
  { name: 'a real person photo (JPEG)', fields: () => ({ photo: img.personPhoto(), product_id: tee, consent: 'true' }), status: 202 },
  { name: 'PNG', fields: async () => ({ photo: await img.png(), filename: 'me.png', contentType: 'image/png', product_id: tee, consent: 'true' }), status: 202 },
  { name: 'WebP', fields: async () => ({ photo: await img.webp(), filename: 'me.webp', contentType: 'image/webp', product_id: tee, consent: 'true' }), status: 202 },
  { name: 'a PNG named .gif with a wrong content type (bytes decide)', fields: async () => ({ photo: await img.png(), filename: 'x.gif', contentType: 'image/gif', product_id: tee, consent: 'true' }), status: 202 },
  { name: 'numeric-looking product id of the demo shop is unknown', fields: () => ({ photo: img.personPhoto(), product_id: '12345', consent: 'true' }), status: 404, code: 'product_not_found' },
  { name: 'corrupt JPEG', fields: () => ({ photo: img.corrupt(), product_id: tee, consent: 'true' }), status: 422, code: 'bad_image' },
  { name: 'truncated JPEG', fields: async () => ({ photo: await img.truncated(), product_id: tee, consent: 'true' }), status: 422, code: 'bad_image' },
  { name: 'huge upload (11 MiB)', fields: () => ({ photo: img.hugeUpload(), product_id: tee, consent: 'true' }), status: 413, code: 'photo_too_large' },
  { name: 'decompression bomb (8000x8000 PNG of 60 KB)', fields: () => ({ photo: img.pngBomb(), filename: 'bomb.png', contentType: 'image/png', product_id: tee, consent: 'true' }), status: 413, code: 'photo_too_large' },
  { name: 'a PDF named .jpg', fields: () => ({ photo: img.pdf(), filename: 'me.jpg', product_id: tee, consent: 'true' }), status: 415, code: 'unsupported_image' },
  { name: 'a GIF', fields: async () => ({ photo: await img.gif(), filename: 'me.gif', contentType: 'image/gif', product_id: tee, consent: 'true' }), status: 415, code: 'unsupported_image' },
  { name: 'HEIC (no HEVC decoder in this sharp build)', fields: () => ({ photo: img.heicHeader(), filename: 'IMG_0001.HEIC', contentType: 'image/heic', product_id: tee, consent: 'true' }), status: 415, code: 'unsupported_image' },
  { name: 'a photo too small to use', fields: async () => ({ photo: await img.jpeg(60, 90), product_id: tee, consent: 'true' }), status: 422, code: 'bad_image' },
  { name: 'no consent', fields: () => ({ photo: img.personPhoto(), product_id: tee }), status: 400, code: 'consent_required' },
  { name: 'consent not "true"', fields: () => ({ photo: img.personPhoto(), product_id: tee, consent: 'yes' }), status: 400, code: 'consent_required' },
  { name: 'no photo', fields: () => ({ product_id: tee, consent: 'true' }), status: 400, code: 'missing_photo' },
  { name: 'no product', fields: () => ({ photo: img.personPhoto(), consent: 'true' }), status: 400, code: 'bad_request' },
  { name: 'unknown product', fields: () => ({ photo: img.personPhoto(), product_id: 'demo-nope', consent: 'true' }), status: 404, code: 'product_not_found' },
  { name: 'a product that is not worn', fields: () => ({ photo: img.personPhoto(), product_id: 'demo-canvas-tote', consent: 'true' }), status: 404, code: 'product_not_wearable' },
];

describe('POST /proxy/tryon uploads', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
      const before = inference.received.length;
      const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm(await c.fields()) });
      const body = (await res.json()) as { jobId?: string; error?: { code: string; message: string } };
      expect(res.status, JSON.stringify(body)).toBe(c.status);
      if (c.status === 202) {
        expect(body.jobId).toMatch(/^[0-9a-f]{32}$/);
        const job = await app.services.jobs.get(body.jobId ?? '');
        expect(job?.shop).toBe('demo.local');
        // The stored photo is the cleaned JPEG, never the upload itself.
        const stored = await app.services.photos.get(body.jobId ?? '', 'photo');
        expect(stored?.mime).toBe('image/jpeg');
        const meta = await sharp(stored?.bytes).metadata();
        expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(PHOTO_WORKING_SIZE);
        await expect.poll(() => inference.received.length).toBe(before + 1);
        expect(inference.received.at(-1)?.category).toBe('UPPER_BODY');
      } else {
        expect(body.error?.code).toBe(c.code);
        expect(body.error?.message.length).toBeGreaterThan(10);
        // Refused uploads never reach the inference server.
        expect(inference.received.length).toBe(before);
      }
    });
  }
});

describe('preparePhoto', () => {
  it('applies the EXIF orientation and strips every metadata block', async () => {
    const upload = await img.rotatedJpegWithExif(480, 320);
    const uploadMeta = await sharp(upload).metadata();
    expect(uploadMeta.orientation).toBe(6);
    expect(uploadMeta.exif).toBeDefined();

    const prepared = await preparePhoto(upload);
    const meta = await sharp(prepared.bytes).metadata();
    // Orientation 6 = stored landscape, shown portrait: the prepared photo is portrait and has no tag left.
    expect([meta.width, meta.height]).toEqual([320, 480]);
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(prepared.bytes.includes(Buffer.from('PhoneMaker'))).toBe(false);
  });

  it('resizes a large photo to the working size, keeping its aspect ratio', async () => {
    const prepared = await preparePhoto(await img.jpeg(2000, 3000));
    expect([prepared.width, prepared.height]).toEqual([512, PHOTO_WORKING_SIZE]);
  });

  it('reads the decompression bomb header only and refuses it', async () => {
    await expect(preparePhoto(img.pngBomb())).rejects.toMatchObject({ status: 413, code: 'photo_too_large' });
  });
});
