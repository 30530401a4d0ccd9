// Photos the pipeline must refuse before generating, each with its code and a sentence naming the problem;
// and the edges of runTryOn's contract: EXIF orientation, the caller's mask, cancellation.
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, CancelledError } from '../../src/engine/index.js';
import { analyzePerson } from '../../src/tryon/person-analysis/analyze.js';
import { decodeRgb } from '../../src/tryon/image-io.js';
import { runTryOn, TryOnError } from '../../src/tryon/index.js';
import { garments, persons, raw } from './fixtures.js';

const person = persons().find((p) => p.file.startsWith('p06'))!;
const halfBody = persons().find((p) => p.file.startsWith('p01'))!;
const polo = garments().find((g) => g.file.startsWith('g01'))!;

async function refusal(promise: Promise<unknown>): Promise<TryOnError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TryOnError);
  return err as TryOnError;
}

describe('runTryOn refuses what it cannot dress', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  it('refuses a garment image as the person photo', async () => {
    const err = await refusal(runTryOn({ personImage: polo.bytes, garmentImage: polo.bytes, category: 'upper' }));
    expect(err.code).toBe('NO_PERSON');
    expect(err.message).toMatch(/no person found/);
  });

  it('refuses a blank image', async () => {
    const blank = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#f4f4f4' } }).jpeg().toBuffer();
    const err = await refusal(runTryOn({ personImage: blank, garmentImage: polo.bytes, category: 'upper' }));
    expect(err.code).toBe('NO_PERSON');
  });

  it('refuses two people side by side', async () => {
    const one = await sharp(person.bytes).resize(288, 384).toBuffer();
    const two = await sharp({ create: { width: 576, height: 384, channels: 3, background: '#cccccc' } })
      .composite([{ input: one, left: 0, top: 0 }, { input: one, left: 288, top: 0 }])
      .jpeg()
      .toBuffer();
    const err = await refusal(runTryOn({ personImage: two, garmentImage: polo.bytes, category: 'upper' }));
    expect(err.code).toBe('SEVERAL_PEOPLE');
    expect(err.message).toMatch(/2 people/);
  });

  it('refuses a person too small in the frame', async () => {
    const small = await sharp(person.bytes).resize(90, 120).toBuffer();
    const photo = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#c8c8c8' } })
      .composite([{ input: small, left: 400, top: 500 }])
      .jpeg()
      .toBuffer();
    const err = await refusal(runTryOn({ personImage: photo, garmentImage: polo.bytes, category: 'upper' }));
    expect(['PERSON_TOO_SMALL', 'NO_PERSON']).toContain(err.code);
  });

  it('refuses a photo cut off above the hips for a top, naming the missing joints', async () => {
    const meta = await sharp(person.bytes).metadata();
    const chest = await sharp(person.bytes).extract({ left: 0, top: 0, width: meta.width!, height: Math.round(meta.height! * 0.3) }).toBuffer();
    const err = await refusal(runTryOn({ personImage: chest, garmentImage: polo.bytes, category: 'upper' }));
    expect(err.code).toBe('PERSON_CUT_OFF');
    expect(err.message).toMatch(/hip/);
  });

  it('refuses a product image with no garment on it', async () => {
    const blank = await sharp({ create: { width: 400, height: 500, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const err = await refusal(runTryOn({ personImage: person.bytes, garmentImage: blank, category: 'upper' }));
    expect(err.code).toBe('NO_GARMENT');
  });

  it('refuses unreadable bytes, a bad category and no category at all', async () => {
    expect((await refusal(runTryOn({ personImage: Buffer.from('not an image'), garmentImage: polo.bytes, category: 'upper' }))).code).toBe('BAD_IMAGE');
    const bad = await refusal(runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, category: 'hat' }));
    expect(bad.message).toBe('category must be one of upper, lower, dress, got "hat"');
    expect((await refusal(runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, title: 'Gift card' }))).code).toBe('BAD_ARGUMENT');
  });

  it('reads the category from the product title when none is given', async () => {
    const result = await runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, title: 'Two-tone polo shirt' });
    expect(result.category).toBe('upper');
  });

  it('accepts a half-body photo for bottoms, drawing them down to the frame', async () => {
    const jeans = garments().find((g) => g.category === 'lower')!;
    const result = await runTryOn({ personImage: halfBody.bytes, garmentImage: jeans.bytes, category: 'lower' });
    expect(result.width).toBe(halfBody.width);
  });
});

describe('runTryOn contract', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });

  it('honours EXIF orientation: the result is upright, at the rotated size', async () => {
    // Store the photo lying on its side with an orientation tag that stands it up again.
    const sideways = await sharp(person.bytes).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(sideways).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([person.height, person.width, 6]);
    const result = await runTryOn({ personImage: sideways, garmentImage: polo.bytes, category: 'upper' });
    expect([result.width, result.height]).toEqual([person.width, person.height]);
    const out = await raw(result.image);
    expect([out.width, out.height]).toEqual([person.width, person.height]);
  });

  it("uses the caller's mask: nothing outside it changes", async () => {
    const box = { left: 150, top: 200, width: 250, height: 250 };
    const callerMask = await sharp({ create: { width: person.width, height: person.height, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: box.width, height: box.height, channels: 3, background: '#fff' } }, left: box.left, top: box.top }])
      .png()
      .toBuffer();
    const result = await runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, category: 'upper', mask: callerMask });
    const out = await raw(result.image);
    const original = await raw(person.bytes);
    const mask = await raw(result.mask, 1);
    let outsideChanged = 0;
    let insideBox = 0;
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        const i = y * out.width + x;
        const inBox = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
        if (inBox) insideBox += mask.data[i] === 255 ? 1 : 0;
        if (mask.data[i] === 0 && [0, 1, 2].some((c) => out.data[i * 3 + c] !== original.data[i * 3 + c])) outsideChanged++;
      }
    }
    expect(outsideChanged).toBe(0);
    expect(insideBox / (box.width * box.height)).toBeGreaterThan(0.9);
  });

  it('reports each stage and stops when onProgress returns false', async () => {
    const stages: string[] = [];
    const previews: { width: number; height: number; data: Uint8Array }[] = [];
    const all = await runTryOn({
      personImage: person.bytes,
      garmentImage: polo.bytes,
      category: 'upper',
      onProgress: (p) => {
        stages.push(p.stage);
        if (p.preview) previews.push(p.preview);
      },
    });
    // The warp engine shows its placement once (small raw RGB: the gRPC edge encodes it) before compositing.
    expect(stages).toEqual(['analysis', 'garment', 'mask', 'generation', 'generation', 'compositing']);
    expect(previews).toHaveLength(1);
    expect(Math.max(previews[0].width, previews[0].height)).toBe(320);
    expect(previews[0].data.length).toBe(previews[0].width * previews[0].height * 3);
    expect(Object.keys(all.timings)).toEqual(['analysis', 'mask', 'garment', 'generation', 'compositing']);
    const err = await runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, category: 'upper', onProgress: (p) => p.stage !== 'mask' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
  });

  it('stops on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new CancelledError('client-cancelled'));
    const err = await runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, category: 'upper', signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CancelledError', reason: 'client-cancelled' });
  });

  it('person analysis leaks no tensors', async () => {
    const photo = await decodeRgb(person.bytes, 'person');
    await analyzePerson(photo, 'upper'); // loads the models once
    const before = tf.memory().numTensors;
    await analyzePerson(photo, 'upper');
    await analyzePerson(photo, 'dress');
    expect(tf.memory().numTensors).toBe(before);
  });
});
