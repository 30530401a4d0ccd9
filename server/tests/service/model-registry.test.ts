// Every model the worker's jobs use (Stable Diffusion, TAESD, IP-Adapter) lives in one registry: one copy of the
// inpainting model for try-on and inpaint, one budget whose LRU evicts idle TAESD and IP-Adapter entries for
// another model, and a stop that frees them all. Checked through real servers and the worker's own stats.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '@fitting-room/proto';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { MemoryStats } from '../../src/worker/protocol.js';
import { scanModelsDir } from '../../src/model-store/scan.js';
import { connect, generate, halfMask, SHARED_DIR, solidImage, startTestServer, TINY_MODELS_DIR } from './helpers.js';

const ext = path.join(SHARED_DIR, 'fixtures/sd-tiny-ext');
const photos = path.join(SHARED_DIR, 'fixtures/photos');
const person = fs.readFileSync(path.join(photos, 'person/p03_full_man_tee_jeans.jpg'));
const garment = fs.readFileSync(path.join(photos, 'garment/g02_upper_tee_logo.jpg'));

/** SD models linked, TAESD as `taesd`, and the IP-Adapter copied: the scan counts no bytes behind links inside a folder. */
function modelsDir(sdModels: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tryon-registry-'));
  for (const name of sdModels) fs.symlinkSync(path.join(TINY_MODELS_DIR, name), path.join(dir, name));
  fs.symlinkSync(path.join(ext, 'models/taesd-tiny'), path.join(dir, 'taesd'));
  const adapter = path.join(dir, 'ip-adapter-plus-sd15/models');
  fs.mkdirSync(adapter, { recursive: true });
  fs.copyFileSync(path.join(ext, 'ip-adapter/models/ip-adapter-plus_sd15-tiny.safetensors'), path.join(adapter, 'ip-adapter-plus_sd15.safetensors'));
  fs.cpSync(path.join(ext, 'ip-adapter/models/image_encoder'), path.join(adapter, 'image_encoder'), { recursive: true, dereference: true });
  return dir;
}

async function memoryBytesByName(dir: string): Promise<Record<string, number>> {
  return Object.fromEntries((await scanModelsDir(dir)).models.map((m) => [m.name, m.memoryBytes]));
}

const stats = async (server: RunningServer): Promise<MemoryStats> => (await server.engine.stats(10_000))!;
const residentNames = async (server: RunningServer): Promise<string[]> => (await stats(server)).models.map((m) => m.name).sort();

describe('one registry for try-on, inpaint, CatVTON, TAESD and IP-Adapter', () => {
  const dir = modelsDir(['sd-tiny-inpaint']);
  // The UNet's own file has every attn1 tensor under its diffusers name, which CatVTON's loader accepts.
  fs.mkdirSync(path.join(dir, 'catvton/attention'), { recursive: true });
  fs.symlinkSync(path.join(TINY_MODELS_DIR, 'sd-tiny-inpaint/unet/diffusion_pytorch_model.safetensors'), path.join(dir, 'catvton/attention/model.safetensors'));
  let server: RunningServer;
  let client: TryOnClient;
  let baseline: MemoryStats;

  beforeAll(async () => {
    server = await startTestServer({ modelsDir: dir, allowNoncommercialWeights: true });
    client = connect(server);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop(0);
  });

  const tryOn: GenerateRequest = { mode: 'MODE_TRY_ON', engine: 'diffusion', model: 'sd-tiny-inpaint', person_image: person, garment_image: garment, category: 'UPPER_BODY', steps: 2, height: 64, preview_every: 1 };

  it('keeps one copy of the inpainting model across alternating try-ons and inpaints, with TAESD and IP-Adapter beside it', async () => {
    // A warp try-on loads what is not a registry model (person analysis); what remains after stop is compared with this.
    expect((await generate(client, { mode: 'MODE_TRY_ON', person_image: person, garment_image: garment, category: 'UPPER_BODY' })).error).toBeUndefined();
    baseline = await stats(server);
    expect(baseline.models).toEqual([]);

    const inpaint: GenerateRequest = { mode: 'MODE_INPAINT', model: 'sd-tiny-inpaint', prompt: 'a shirt', init_image: await solidImage(64, 64), mask_image: await halfMask(64, 64), steps: 2, preview_every: 1 };
    for (const request of [tryOn, inpaint, tryOn, inpaint]) {
      const { events, error } = await generate(client, request);
      expect(error).toBeUndefined();
      expect(events.at(-1)?.result?.model).toBe('sd-tiny-inpaint');
    }

    const bytes = await memoryBytesByName(dir);
    const after = await stats(server);
    expect(after.models.filter((m) => m.name === 'sd-tiny-inpaint')).toEqual([{ kind: 'stable-diffusion', name: 'sd-tiny-inpaint', bytes: bytes['sd-tiny-inpaint'], leases: 0 }]);
    expect([...after.models].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { kind: 'ip-adapter', name: 'ip-adapter-plus-sd15', bytes: bytes['ip-adapter-plus-sd15'], leases: 0 },
      { kind: 'stable-diffusion', name: 'sd-tiny-inpaint', bytes: bytes['sd-tiny-inpaint'], leases: 0 },
      { kind: 'taesd', name: 'taesd', bytes: bytes.taesd, leases: 0 },
    ]);
    expect(bytes['ip-adapter-plus-sd15']).toBeGreaterThan(0);
    expect(after.modelBytes).toBe(bytes['sd-tiny-inpaint'] + bytes.taesd + bytes['ip-adapter-plus-sd15']);
  });

  it("holds CatVTON's variant as an entry of its own, never the plain inpainting model", async () => {
    const catvton = await generate(client, { ...tryOn, garment_conditioning: 'GARMENT_CONDITIONING_CATVTON' });
    expect(catvton.error).toBeUndefined();
    expect(catvton.events.at(-1)?.result?.warnings.join(' ')).toMatch(/non-commercial/);
    expect((await generate(client, tryOn)).error).toBeUndefined();
    const models = (await stats(server)).models.filter((m) => m.name.startsWith('sd-tiny-inpaint'));
    expect(models.map((m) => [m.kind, m.name]).sort()).toEqual([
      ['catvton-inpainting', 'sd-tiny-inpaint+catvton'],
      ['stable-diffusion', 'sd-tiny-inpaint'],
    ]);
  });

  it('frees every model of every kind on stop', async () => {
    await server.stop(0);
    const atStop = server.engine.statsAtStop;
    expect(atStop).toMatchObject({ models: [], modelsLoaded: [], modelBytes: 0 });
    expect(atStop?.tensors).toBe(baseline.tensors);
  });
});

describe('a small budget shared by every kind', () => {
  // 11 MiB: one tiny SD model (10.3 MB) with TAESD (0.16 MB) or with the IP-Adapter (0.6 MB), not with both.
  const dir = modelsDir(['sd-tiny']);
  let server: RunningServer;
  let client: TryOnClient;

  beforeAll(async () => {
    server = await startTestServer({ modelsDir: dir, modelMemoryMb: 11 });
    client = connect(server);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop(0);
  });

  it('evicts an idle TAESD for the IP-Adapter, then the idle IP-Adapter for TAESD, never the model in use', async () => {
    const bytes = await memoryBytesByName(dir);
    expect(bytes['sd-tiny'] + bytes.taesd + bytes['ip-adapter-plus-sd15']).toBeGreaterThan(11 * 1024 * 1024);
    const txt2img: GenerateRequest = { mode: 'MODE_TEXT_TO_IMAGE', model: 'sd-tiny', prompt: 'a coat', width: 64, height: 64, steps: 2 };
    const withPreviews = { ...txt2img, preview_every: 1 };
    const withImagePrompt = { ...txt2img, preview_every: 0, image_prompt: garment };

    expect((await generate(client, withPreviews)).error).toBeUndefined();
    expect(await residentNames(server)).toEqual(['sd-tiny', 'taesd']);
    expect((await generate(client, withImagePrompt)).error).toBeUndefined();
    expect(await residentNames(server)).toEqual(['ip-adapter-plus-sd15', 'sd-tiny']);
    expect((await generate(client, withPreviews)).error).toBeUndefined();
    expect(await residentNames(server)).toEqual(['sd-tiny', 'taesd']);
    const { modelBytes, modelBudgetBytes } = await stats(server);
    expect(modelBudgetBytes).toBe(11 * 1024 * 1024);
    expect(modelBytes).toBeLessThanOrEqual(modelBudgetBytes);
  });
});
