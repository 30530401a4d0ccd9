// The diffusion engine on the tiny random inpainting model: both conditioning paths run end to end, keep
// the unmasked pixels exact, stream previews, and a CatVTON-layout attention file loads and changes the result.
import type { Image } from '../../src/image.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, writeSafetensors, loadStableDiffusion, CancelledError } from '../../src/engine/index.js';
import { attn1ModulesInOrder, loadCatvtonAttention } from '../../src/tryon/engines/diffusion/catvton-attention.js';
import { runTryOn, type DiffusionSettings, TryOnError } from '../../src/tryon/index.js';
import { garments, persons, raw, sdTinyDir } from './fixtures.js';

const modelDir = path.join(sdTinyDir, 'models/sd-tiny-inpaint');
const person = persons().find((p) => p.file.startsWith('p06'))!;
const polo = garments().find((g) => g.file.startsWith('g01'))!;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-diffusion-'));
const catvtonFile = path.join(tmp, 'catvton/attention/model.safetensors');

/** A tiny file in CatVTON's layout: a ModuleList of every "attn1" module, 8 entries per attention. */
async function writeTinyCatvton(): Promise<number> {
  const model = await loadStableDiffusion(modelDir);
  try {
    const blocks = attn1ModulesInOrder(model.unet.parameters.keys());
    const tensors = new Map<string, tf.Tensor>();
    blocks.forEach((block, b) => {
      const base = b * 8;
      for (const part of ['to_q.weight', 'to_k.weight', 'to_v.weight', 'to_out.0.weight', 'to_out.0.bias']) {
        const [i, o] = model.unet.parameters.get(`${block}.${part}`)!.shape;
        const shape = part.endsWith('weight') ? [o, i] : [i];
        const values = tf.randomNormal(shape, 0, part.endsWith('weight') ? 1 / Math.sqrt(shape[1]) : 0.05, 'float32', 7 + b);
        tensors.set(`${base}.${part}`, values);
        // The child modules' own entries, as torch's ModuleList state dict lists them too.
        const child = { 'to_q.weight': `${base + 1}.weight`, 'to_k.weight': `${base + 2}.weight`, 'to_v.weight': `${base + 3}.weight`, 'to_out.0.weight': `${base + 5}.weight`, 'to_out.0.bias': `${base + 5}.bias` }[part]!;
        tensors.set(child, values);
      }
    });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(catvtonFile), { recursive: true });
    await writeSafetensors(catvtonFile, new Map([...tensors].filter(([k]) => !/^\d+\.(weight|bias)$/.test(k) || Number(k.split('.')[0]) % 8 !== 0)));
    tf.dispose([...tensors.values()]);
    return blocks.length;
  } finally {
    model.dispose();
  }
}

async function unmaskedChanges(result: { image: Image; mask: Image }): Promise<{ outside: number; inside: number }> {
  const out = await raw(result.image);
  const original = await raw(person.bytes);
  const mask = await raw(result.mask, 1);
  let outside = 0;
  let inside = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const changed = [0, 1, 2].some((c) => out.data[i * 3 + c] !== original.data[i * 3 + c]);
    if (mask.data[i] === 0) outside += changed ? 1 : 0;
    else inside += changed ? 1 : 0;
  }
  return { outside, inside };
}

const base: DiffusionSettings = { modelDir, steps: 3, height: 96, guidanceScale: 2.5, seed: 3, strength: 1 };
const tryOn = (model: DiffusionSettings, extra: Partial<Parameters<typeof runTryOn>[0]> = {}) =>
  runTryOn({ personImage: person.bytes, garmentImage: polo.bytes, category: 'upper', description: 'two-tone polo shirt', engine: 'diffusion', model, ...extra });

describe('diffusion engine (tiny inpainting model)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { strict: true });
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('concatenation path: runs end to end, streams previews, keeps unmasked pixels exact', async () => {
    const previews: number[] = [];
    let total = 0;
    const result = await tryOn(
      { ...base, mode: 'concat', scheduler: 'ddim' },
      {
        onProgress: (p) => {
          if (p.preview) previews.push(p.step!);
          total = p.totalSteps ?? total;
        },
      },
    );
    expect([result.width, result.height]).toEqual([person.width, person.height]);
    const changes = await unmaskedChanges(result);
    expect(changes.outside).toBe(0);
    expect(changes.inside).toBeGreaterThan(1000);
    expect(total).toBe(3);
    expect(previews).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('text path (description as prompt), seeded by the warp result, keeps unmasked pixels exact', async () => {
    const result = await tryOn({ ...base, mode: 'text', strength: 0.7, steps: 4 });
    const changes = await unmaskedChanges(result);
    expect(changes.outside).toBe(0);
    expect(changes.inside).toBeGreaterThan(1000);
  });

  it('text path applies a store LoRA for the run only (output changes, unmasked pixels exact)', async () => {
    const settings = { ...base, mode: 'text' as const, steps: 3 };
    const plain = await tryOn(settings);
    const withLora = await tryOn({ ...settings, loraPath: path.join(sdTinyDir, 'lora/sd-tiny-kohya.safetensors'), loraScale: 1 });
    const again = await tryOn(settings);
    const [a, b, c] = await Promise.all([raw(plain.image), raw(withLora.image), raw(again.image)]);
    expect(Buffer.compare(a.data, b.data)).not.toBe(0);
    expect(Buffer.compare(a.data, c.data)).toBe(0);
    expect((await unmaskedChanges(withLora)).outside).toBe(0);
  });

  it('loads CatVTON-layout attention weights, which change the output and carry the licence warning', async () => {
    const blocks = await writeTinyCatvton();
    expect(blocks).toBeGreaterThan(0);
    const plain = await tryOn({ ...base, mode: 'concat' });
    const withCatvton = await tryOn({ ...base, mode: 'concat', catvtonPath: path.join(tmp, 'catvton') });
    expect(withCatvton.warnings.some((w) => w.includes('non-commercial'))).toBe(true);
    expect(plain.warnings.some((w) => w.includes('non-commercial'))).toBe(false);
    const a = await raw(plain.image);
    const b = await raw(withCatvton.image);
    expect(Buffer.compare(a.data, b.data)).not.toBe(0);
    expect((await unmaskedChanges(withCatvton)).outside).toBe(0);
  });

  it('refuses a CatVTON file made for another UNet, naming what is wrong, and changes nothing', async () => {
    const model = await loadStableDiffusion(modelDir);
    try {
      const wrong = path.join(tmp, 'wrong.safetensors');
      await writeSafetensors(wrong, new Map([['0.to_q.weight', tf.zeros([3, 3])]]));
      const before = model.unet.parameters.get(attn1ModulesInOrder(model.unet.parameters.keys())[0] + '.to_q.weight')!.dataSync().slice();
      const err = await loadCatvtonAttention(model.unet.parameters, wrong).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TryOnError);
      expect((err as Error).message).toMatch(/attn1|another UNet|shape/);
      const after = model.unet.parameters.get(attn1ModulesInOrder(model.unet.parameters.keys())[0] + '.to_q.weight')!.dataSync();
      expect(Array.from(after)).toEqual(Array.from(before));
    } finally {
      model.dispose();
    }
  });

  it('leaks no tensors across diffusion try-ons (concat and text)', async () => {
    await tryOn({ ...base, mode: 'concat', steps: 1 });
    await tryOn({ ...base, mode: 'text', steps: 1 });
    const before = tf.memory().numTensors;
    await tryOn({ ...base, mode: 'concat', steps: 1 });
    await tryOn({ ...base, mode: 'text', steps: 2, strength: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between steps when onProgress returns false, and refuses a text-to-image model', async () => {
    const err = await tryOn({ ...base, mode: 'concat' }, { onProgress: (p) => p.step !== 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    const notInpaint = await tryOn({ ...base, modelDir: path.join(sdTinyDir, 'models/sd-tiny') }).catch((e: unknown) => e);
    expect((notInpaint as TryOnError).code).toBe('MODEL_MISSING');
    expect((notInpaint as Error).message).toMatch(/in_channels 4, needs 9/);
  });
});
