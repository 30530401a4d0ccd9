// A fresh machine with no weights configured: the server writes its embedded tiny models once and serves them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import { connect, generate, halfMask, listModels, solidImage, startTestServer } from './helpers.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-data-'));
let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  server = await startTestServer({ modelsDir: undefined, dataDir });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded default (no TRYON_MODELS_DIR)', () => {
  it('lists the embedded tiny models and the warp engine, the base one loaded', async () => {
    const { models, default_model } = await listModels(client);
    expect(default_model).toBe('embedded-tiny');
    expect(models.map((m) => [m.name, m.kind])).toEqual([
      ['warp', 'MODEL_KIND_TRY_ON'],
      ['embedded-tiny', 'MODEL_KIND_BASE'],
      ['embedded-tiny-inpaint', 'MODEL_KIND_INPAINT'],
    ]);
    expect(models.find((m) => m.name === 'embedded-tiny')?.loaded).toBe(true);
  });

  it('runs text-to-image and inpaint on them', async () => {
    const txt = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a scarf', steps: 2, width: 16, height: 16, seed: 4 });
    expect(txt.error).toBeUndefined();
    expect((await sharp(txt.events.at(-1)!.result!.images_png[0]).metadata()).width).toBe(16);
    const inpaint = await generate(client, { mode: 'MODE_INPAINT', steps: 2, init_image: await solidImage(16, 16), mask_image: await halfMask(16, 16), seed: 4 });
    expect(inpaint.error).toBeUndefined();
    expect(inpaint.events.at(-1)!.result!.model).toBe('embedded-tiny-inpaint');
  });

  it('writes the models once: a second server reuses them', async () => {
    const stamp = fs.statSync(path.join(dataDir, 'embedded-models/embedded-tiny/model_index.json')).mtimeMs;
    const second = await startTestServer({ modelsDir: undefined, dataDir });
    await second.stop(0);
    expect(fs.statSync(path.join(dataDir, 'embedded-models/embedded-tiny/model_index.json')).mtimeMs).toBe(stamp);
  });
});
