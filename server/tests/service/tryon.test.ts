// MODE_TRY_ON through the server on the shared photos: the warp engine end to end, and its refusals.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { connect, eventNames, generate, halfMask, listModels, SHARED_DIR, solidImage, startTestServer } from './helpers.js';
import { cutOffAtTheChest, severalPeople } from '../support/refused-photos.js';

const photos = path.join(SHARED_DIR, 'fixtures/photos');
const person = fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg'));
const garment = fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg'));

let server: RunningServer;
let client: TryOnClient;
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

beforeAll(async () => {
  server = await startTestServer({}, { logger: createLogger('debug', logSink) });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

describe('MODE_TRY_ON', () => {
  it('dresses the person with the warp engine: stages stream as percent, result has the photo size, mask on request', async () => {
    const { events, error } = await generate(client, {
      mode: 'MODE_TRY_ON',
      person_image: person,
      garment_image: garment,
      garment_title: 'Logo tee',
      category: 'UPPER_BODY',
      mask_out: true,
    });
    expect(error).toBeUndefined();
    const names = eventNames(events);
    expect(names.slice(0, 2)).toEqual(['queued', 'started']);
    expect(names.at(-1)).toBe('result');
    const stages = events.filter((e) => e.progress).map((e) => e.progress!);
    expect(stages.map((p) => p.stage)).toEqual(expect.arrayContaining(['analysis', 'mask', 'garment', 'generation', 'compositing']));
    expect(stages.every((p) => p.total_steps === 100)).toBe(true);
    expect(stages.at(-1)!.step).toBe(100);

    const result = events.at(-1)!.result!;
    expect(result.engine).toBe('warp');
    expect(result.model).toBe('warp');
    const input = await sharp(person).metadata();
    const output = await sharp(result.images_png[0]).metadata();
    expect([output.format, output.width, output.height]).toEqual(['png', input.width, input.height]);
    const mask = await sharp(result.mask_png).metadata();
    expect([mask.width, mask.height]).toEqual([input.width, input.height]);
  });

  it('runs the diffusion engine on the tiny inpainting model with JPEG previews', async () => {
    const { events, error } = await generate(client, {
      mode: 'MODE_TRY_ON',
      engine: 'diffusion',
      model: 'sd-tiny-inpaint',
      person_image: person,
      garment_image: garment,
      category: 'UPPER_BODY',
      steps: 3,
      height: 64,
      preview_every: 1,
      seed: 9,
    });
    expect(error).toBeUndefined();
    const result = events.at(-1)!.result!;
    expect([result.engine, result.model]).toEqual(['diffusion', 'sd-tiny-inpaint']);
    const input = await sharp(person).metadata();
    const output = await sharp(result.images_png[0]).metadata();
    expect([output.width, output.height]).toEqual([input.width, input.height]);
    const previews = events.filter((e) => (e.progress?.preview_jpeg.length ?? 0) > 0);
    expect(previews.length).toBeGreaterThan(0);
    expect((await sharp(previews[0].progress!.preview_jpeg).metadata()).format).toBe('jpeg');
  });

  it('streams 7 JPEG previews for 30 diffusion steps with preview_every 4', async () => {
    const { events, error } = await generate(client, {
      mode: 'MODE_TRY_ON', engine: 'diffusion', model: 'sd-tiny-inpaint', person_image: person, garment_image: garment, category: 'UPPER_BODY', steps: 30, height: 64, preview_every: 4, seed: 2,
    });
    expect(error).toBeUndefined();
    const previews = events.filter((e) => (e.progress?.preview_jpeg.length ?? 0) > 0).map((e) => e.progress!.preview_jpeg);
    expect(previews).toHaveLength(7);
    for (const jpeg of previews) expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('shares one copy of the inpainting model between try-on and inpaint (leased from the registry)', async () => {
    const tryOn = () => generate(client, { mode: 'MODE_TRY_ON', engine: 'diffusion', model: 'sd-tiny-inpaint', person_image: person, garment_image: garment, category: 'UPPER_BODY', steps: 2, height: 64 });
    const inpaint = async () => generate(client, { mode: 'MODE_INPAINT', model: 'sd-tiny-inpaint', prompt: 'a shirt', init_image: await solidImage(64, 64), mask_image: await halfMask(64, 64), steps: 2 });
    const stats = async () => (await server.engine.stats(10_000))!;
    expect((await tryOn()).error).toBeUndefined();
    const afterTryOn = await stats();
    expect((await inpaint()).error).toBeUndefined();
    expect((await tryOn()).error).toBeUndefined();
    const after = await stats();
    expect(after.tensors).toBe(afterTryOn.tensors);
    expect(after.modelsLoaded.filter((m) => m === 'sd-tiny-inpaint')).toEqual(['sd-tiny-inpaint']);
  });

  it('refuses a photo with no person in it with INVALID_ARGUMENT, before anything is generated', async () => {
    const { events, error } = await generate(client, { mode: 'MODE_TRY_ON', person_image: await solidImage(256, 384, 'jpeg'), garment_image: garment, category: 'UPPER_BODY' });
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/person/i);
    // The machine-readable reason, in trailing metadata as google.rpc.ErrorInfo has it.
    expect([error?.metadata.get('error-reason'), error?.metadata.get('error-domain')]).toEqual([['NO_PERSON'], ['tryon.v1']]);
    expect(events.some((e) => e.result)).toBe(false);
  });

  it('says SEVERAL_PEOPLE and PERSON_CUT_OFF as reasons a client can act on', async () => {
    const [several, cutOff] = await Promise.all([severalPeople(), cutOffAtTheChest()]);
    const reasonOf = async (photo: Buffer) => (await generate(client, { mode: 'MODE_TRY_ON', person_image: photo, garment_image: garment, category: 'UPPER_BODY' })).error?.metadata.get('error-reason');
    expect(await reasonOf(several)).toEqual(['SEVERAL_PEOPLE']);
    expect(await reasonOf(cutOff)).toEqual(['PERSON_CUT_OFF']);
  });

  it('logs the request as sizes, never the photo bytes', () => {
    const accepted = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'generate accepted');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted[0]).toMatchObject({ person_image_bytes: person.length, garment_image_bytes: garment.length });
    const photoBase64 = person.subarray(1000, 1060).toString('base64');
    const photoHex = person.subarray(1000, 1030).toString('hex');
    expect(logLines.some((l) => l.includes(photoBase64) || l.includes(photoHex))).toBe(false);
    // No long base64-looking runs at all (a whole image smuggled in another field).
    expect(logLines.some((l) => /[A-Za-z0-9+/]{400,}/.test(l))).toBe(false);
  });

  it('lists the warp engine as the built-in try-on model', async () => {
    const { models } = await listModels(client, { kind: 'MODEL_KIND_TRY_ON' });
    expect(models).toEqual([expect.objectContaining({ name: 'warp', format: 'builtin', loaded: true })]);
  });
});
