// POST /proxy/tryon with every kind of upload, against the real app (standalone demo store, SQLite file) and
// a real gRPC server on loopback. Accepted photos must reach the inference server cleaned and resized.
import http from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_WORKING_SIZE } from '@fitting-room/proto';
import { preparePhoto } from '../src/photos/prepare-photo.js';
import * as img from './support/images.js';
import { tryOnForm, type UploadFields } from './support/http.js';
import { jobIdOf, storedImage } from './support/jobs.js';
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
  { name: 'a 20000x20000 PNG (over sharp\'s own pixel limit)', fields: async () => ({ photo: await img.hugePng(), filename: 'huge.png', contentType: 'image/png', product_id: tee, consent: 'true' }), status: 413, code: 'photo_too_large' },
  { name: 'a JPEG whose header claims 65500x65500', fields: async () => ({ photo: await img.jpegClaiming(), product_id: tee, consent: 'true' }), status: 413, code: 'photo_too_large' },
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
        expect(body.jobId).toMatch(/^[0-9a-f]{32}-[0-9a-f]{32}$/);
        const job = await app.services.jobs.get(jobIdOf(body.jobId ?? ''));
        expect(job?.shop).toBe('demo.local');
        // The stored photo is the cleaned JPEG, never the upload itself.
        const stored = await storedImage(app.services, body.jobId ?? '', 'photo');
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

describe('uploads that are not well-formed multipart', () => {
  const send = (contentType: string, body: string) => fetch(`${app.url}/proxy/tryon`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  const part = (headers: string, content: string) => `--XB\r\n${headers}\r\n\r\n${content}\r\n`;
  const bodies: { name: string; contentType: string; body: string }[] = [
    { name: 'no closing boundary (the body stops mid-form)', contentType: 'multipart/form-data; boundary=XB', body: `${part('Content-Disposition: form-data; name="consent"', 'true')}--XB\r\nContent-Disposition: form-data; name="photo"; filename="me.jpg"\r\n\r\n\xff\xd8\xff` },
    { name: 'a part header without a colon', contentType: 'multipart/form-data; boundary=XB', body: `${part('this is not a header', 'x')}--XB--\r\n` },
    { name: 'multipart without a boundary', contentType: 'multipart/form-data', body: 'whatever' },
  ];
  for (const b of bodies) {
    it(`${b.name} → 400 bad_request, not logged as an error`, async () => {
      const before = inference.received.length;
      const res = await send(b.contentType, b.body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
      expect(inference.received.length).toBe(before);
      expect(app.logs.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    });
  }

  it('an upload the client aborts halfway is logged at info, and the app keeps serving', async () => {
    const url = new URL(`${app.url}/proxy/tryon`);
    const photo = await img.jpeg(800, 1200);
    await new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=XB', 'Content-Length': String(photo.length + 500) } });
      req.on('error', () => resolve());
      req.write(`--XB\r\nContent-Disposition: form-data; name="photo"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
      req.write(photo.subarray(0, photo.length / 2), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    await expect.poll(() => app.logs.some((l) => l.includes('client aborted the request'))).toBe(true);
    const line = JSON.parse(app.logs.find((l) => l.includes('client aborted the request')) ?? '{}') as { level: number };
    expect(line.level).toBe(30);
    expect(app.logs.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    const next = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: img.personPhoto(), product_id: tee, consent: 'true' }) });
    expect(next.status).toBe(202);
  });
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
