// Through the server on the webgpu backend (lavapipe here, a GPU's Vulkan driver in production): the paths that
// read tensors while a job runs — live previews of a generation, and the diffusion try-on with its previews and
// garment image — read asynchronously, as webgpu requires (it has no synchronous readback in Node).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import { connect, generate, SHARED_DIR, startTestServer } from './helpers.js';

const photos = path.join(SHARED_DIR, 'fixtures/photos');
const person = fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg'));
const garment = fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg'));

let server: RunningServer;
let client: TryOnClient;
beforeAll(async () => {
  server = await startTestServer({ backend: 'webgpu' });
  await server.ready;
  client = connect(server);
}, 180_000);
afterAll(async () => {
  client?.close();
  await server?.stop();
});

const jpegPreviews = async (events: { progress?: { preview_jpeg: Buffer } | null }[]) => {
  const previews = events.map((e) => e.progress?.preview_jpeg).filter((p): p is Buffer => (p?.length ?? 0) > 0);
  return Promise.all(previews.map(async (p) => (await sharp(p).metadata()).format));
};

describe('on webgpu', () => {
  it('streams a preview every step of a generation', async () => {
    expect(server.backend.name).toBe('webgpu');
    const { events, error } = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a red dress', steps: 2, width: 64, height: 64, preview_every: 1, seed: 4 });
    expect(error).toBeUndefined();
    const formats = await jpegPreviews(events);
    expect(formats.length).toBeGreaterThanOrEqual(2);
    expect(new Set(formats)).toEqual(new Set(['jpeg']));
    expect(events.at(-1)?.result?.images_png).toHaveLength(1);
  }, 180_000);

  it('runs the diffusion try-on with previews', async () => {
    const { events, error } = await generate(client, {
      mode: 'MODE_TRY_ON', engine: 'diffusion', model: 'sd-tiny-inpaint', person_image: person, garment_image: garment, category: 'UPPER_BODY', steps: 2, height: 64, preview_every: 1, seed: 9,
    });
    expect(error).toBeUndefined();
    const formats = await jpegPreviews(events);
    expect(formats.length).toBeGreaterThanOrEqual(2);
    expect(new Set(formats)).toEqual(new Set(['jpeg']));
    expect(events.at(-1)?.result?.engine).toBe('diffusion');
  }, 180_000);
});
