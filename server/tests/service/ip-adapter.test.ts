// Image prompts and the IP-Adapter try-on through a real server whose models directory holds the tiny fixture
// adapter laid out like h94/IP-Adapter; and the gate on non-commercial weights (CatVTON) at start.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { GenerateRequest } from '@fitting-room/proto';
import { connect, generate, linkedModelsDir, listModels, SHARED_DIR, startTestServer } from './helpers.js';

const ext = path.join(SHARED_DIR, 'fixtures/sd-tiny-ext');
const photos = path.join(SHARED_DIR, 'fixtures/photos');
const person = fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg'));
const garmentA = fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg'));
const garmentB = fs.readFileSync(path.join(photos, 'garment/g01_upper_polo.jpg'));

/** The models directory with the tiny adapter as `ip-adapter-plus-sd15/models/...`, as npm run weights lays it out. */
function modelsWithAdapter(): string {
  const dir = linkedModelsDir();
  const repo = path.join(dir, 'ip-adapter-plus-sd15');
  fs.mkdirSync(path.join(repo, 'models'), { recursive: true });
  fs.symlinkSync(path.join(ext, 'ip-adapter/models/ip-adapter-plus_sd15-tiny.safetensors'), path.join(repo, 'models/ip-adapter-plus_sd15.safetensors'));
  fs.symlinkSync(path.join(ext, 'ip-adapter/models/image_encoder'), path.join(repo, 'models/image_encoder'));
  fs.writeFileSync(path.join(repo, 'LICENCE'), 'Apache-2.0 (adapter), MIT (image encoder)\nsource: h94/IP-Adapter@main\n');
  return dir;
}

let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  server = await startTestServer({ modelsDir: modelsWithAdapter() });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

/** Raw RGB of a PNG/JPEG, upright. */
const rgb = async (image: Buffer) => sharp(image).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });

describe('IP-Adapter through the server', () => {
  it('lists the adapter folder with its kind and licence', async () => {
    const entry = (await listModels(client)).models.find((m) => m.name === 'ip-adapter-plus-sd15');
    expect(entry).toMatchObject({ kind: 'MODEL_KIND_IP_ADAPTER', licence: 'Apache-2.0 (adapter), MIT (image encoder)' });
  });

  it('conditions text-to-image on an image prompt', async () => {
    const base: GenerateRequest = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a shirt', width: 64, height: 64, steps: 4, seed: 3 };
    const plain = await generate(client, base);
    const prompted = await generate(client, { ...base, image_prompt: garmentA, image_prompt_scale: 1 });
    const other = await generate(client, { ...base, image_prompt: garmentB, image_prompt_scale: 1 });
    expect([plain.error, prompted.error, other.error]).toEqual([undefined, undefined, undefined]);
    const [a, b, c] = [plain, prompted, other].map((r) => r.events.at(-1)!.result!.images_png[0]);
    expect(Buffer.compare(a, b)).not.toBe(0);
    expect(Buffer.compare(b, c)).not.toBe(0);
    // The adapter comes off after each job: the plain request again gives the plain image.
    expect((await generate(client, base)).events.at(-1)!.result!.images_png[0]).toEqual(a);
  });

  it('dresses the person with IP-Adapter conditioning by default: unmasked pixels exact, the garment image matters', async () => {
    const tryOn = (garment: Buffer, extra: Partial<GenerateRequest> = {}) =>
      generate(client, { mode: 'MODE_TRY_ON', engine: 'diffusion', model: 'sd-tiny-inpaint', person_image: person, garment_image: garment, category: 'UPPER_BODY', garment_title: 'a tee', steps: 3, height: 128, seed: 5, mask_out: true, ...extra });
    const [first, second] = [await tryOn(garmentA), await tryOn(garmentB)];
    expect([first.error, second.error]).toEqual([undefined, undefined]);
    // The default is the IP-Adapter conditioning, not the text or concat paths.
    const png = (r: Awaited<ReturnType<typeof tryOn>>) => r.events.at(-1)!.result!.images_png[0];
    expect(png(await tryOn(garmentA, { garment_conditioning: 'GARMENT_CONDITIONING_IP_ADAPTER' }))).toEqual(png(first));
    expect(Buffer.compare(png(await tryOn(garmentA, { garment_conditioning: 'GARMENT_CONDITIONING_TEXT' })), png(first))).not.toBe(0);
    const result = first.events.at(-1)!.result!;
    expect(result.engine).toBe('diffusion');
    const [photo, out, mask] = await Promise.all([rgb(person), rgb(result.images_png[0]), sharp(result.mask_png).greyscale().raw().toBuffer()]);
    expect([out.info.width, out.info.height]).toEqual([photo.info.width, photo.info.height]);
    let unmasked = 0;
    let differing = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 0) continue;
      unmasked++;
      for (let c = 0; c < 3; c++) if (out.data[i * 3 + c] !== photo.data[i * 3 + c]) differing++;
    }
    expect(unmasked).toBeGreaterThan(mask.length / 2);
    expect(differing).toBe(0);
    expect(Buffer.compare(result.images_png[0], second.events.at(-1)!.result!.images_png[0])).not.toBe(0);
  });
});

describe('non-commercial weights', () => {
  it('refuses to start with CatVTON weights unless TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS is set, then lists their licence', async () => {
    const dir = linkedModelsDir();
    fs.mkdirSync(path.join(dir, 'catvton/attention'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'catvton/attention/model.safetensors'), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{}      ')]));
    await expect(startTestServer({ modelsDir: dir })).rejects.toThrow(/catvton .*CC BY-NC-SA 4\.0.*TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true/);
    const allowed = await startTestServer({ modelsDir: dir, allowNoncommercialWeights: true });
    const allowedClient = connect(allowed);
    try {
      const entry = (await listModels(allowedClient)).models.find((m) => m.name === 'catvton');
      expect(entry).toMatchObject({ kind: 'MODEL_KIND_CATVTON', licence: 'CC BY-NC-SA 4.0' });
    } finally {
      allowedClient.close();
      await allowed.stop(0);
    }
  });
});
