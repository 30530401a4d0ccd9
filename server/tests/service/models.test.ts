// The models directory scan and the LRU of loaded models, on the fixture models.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/index.js';
import { ModelNameError, ModelNotFoundError, ModelCatalog } from '../../src/models/catalog.js';
import { ModelRegistry } from '../../src/models/registry.js';
import { scanModelsDir } from '../../src/models/scan.js';
import { chooseDefaults } from '../../src/models/defaults.js';
import { linkedModelsDir, SHARED_DIR } from './helpers.js';

describe('scanModelsDir', () => {
  it('tells base, inpainting, LoRA and single-file models apart by their files, and reports what it cannot use', async () => {
    const dir = linkedModelsDir();
    fs.symlinkSync(path.join(SHARED_DIR, 'fixtures/sd-tiny/single-file/sd-tiny.safetensors'), path.join(dir, 'sd-tiny-single.safetensors'));
    fs.writeFileSync(path.join(dir, 'old.ckpt'), 'pickle');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    fs.mkdirSync(path.join(dir, 'not-a-model'));
    const { models, problems } = await scanModelsDir(dir);
    expect(models.map((m) => [m.name, m.kind, m.format])).toEqual([
      ['sd-tiny', 'base', 'diffusers'],
      ['sd-tiny-inpaint', 'inpaint', 'diffusers'],
      ['sd-tiny-kohya', 'lora', 'lora-safetensors'],
      ['sd-tiny-single', 'base', 'single-file'],
    ]);
    expect(models[0].memoryBytes).toBeGreaterThan(1_000_000);
    expect(problems).toEqual([{ path: path.join(dir, 'old.ckpt'), reason: expect.stringContaining('pickle') }]);
  });

  it('picks defaults per kind, and refuses a configured default that is not there', async () => {
    const { models } = await scanModelsDir(linkedModelsDir());
    expect(chooseDefaults(models)).toMatchObject({ base: { name: 'sd-tiny' }, inpaint: { name: 'sd-tiny-inpaint' }, tryOn: undefined });
    // Try-on uses diffusion by default only on an inpainting model named as the default.
    expect(chooseDefaults(models, 'sd-tiny-inpaint')).toMatchObject({ base: { name: 'sd-tiny' }, tryOn: { name: 'sd-tiny-inpaint' } });
    expect(() => chooseDefaults(models, 'sd-huge')).toThrow(/TRYON_DEFAULT_MODEL "sd-huge".*sd-tiny/);
    expect(() => chooseDefaults(models, 'sd-tiny-kohya')).toThrow(/not a model/);
  });
});

describe('ModelCatalog', () => {
  it('validates and finds names', async () => {
    const catalog = new ModelCatalog();
    await catalog.refresh([linkedModelsDir()]);
    expect(catalog.find('model', 'sd-tiny', ['base']).kind).toBe('base');
    expect(() => catalog.find('model', 'sd-tiny', ['lora'])).toThrow(ModelNotFoundError);
    expect(() => catalog.find('model', 'a/b', ['base'])).toThrow(ModelNameError);
  });
});

describe('ModelRegistry', () => {
  it('loads each model once, evicts the least recently used over budget, never one in use, and frees its tensors', async () => {
    await initBackend('wasm');
    let loads = 0;
    const registry = new ModelRegistry<StableDiffusionModel>(
      async (entry) => {
        loads++;
        const model = await loadStableDiffusion(entry.path);
        return { value: model, dispose: () => model.dispose() };
      },
      // Room for one tiny model, not two.
      15 * 1024 * 1024,
    );
    const catalog = new ModelCatalog();
    await catalog.refresh([linkedModelsDir()]);
    const base = catalog.find('model', 'sd-tiny', ['base']);
    const inpaint = catalog.find('model', 'sd-tiny-inpaint', ['inpaint']);
    const before = tf.memory().numTensors;

    const first = await registry.acquire(base);
    const again = await registry.acquire(base);
    expect(loads).toBe(1);
    expect(again.value).toBe(first.value);
    expect(again.loadMs).toBe(0);
    const withBase = tf.memory().numTensors;

    // Both leases of the base are held: the inpainting model loads over budget rather than evict it,
    // and goes again as soon as it is released.
    const held = await registry.acquire(inpaint);
    expect([registry.isLoaded('sd-tiny'), registry.isLoaded('sd-tiny-inpaint')]).toEqual([true, true]);
    held.release();
    expect([registry.isLoaded('sd-tiny'), registry.isLoaded('sd-tiny-inpaint')]).toEqual([true, false]);
    expect(tf.memory().numTensors).toBe(withBase);
    first.release();
    again.release();

    // Idle now, the base is the least recently used model and makes room for the inpainting one.
    const inpaintAgain = await registry.acquire(inpaint);
    expect([registry.isLoaded('sd-tiny'), registry.isLoaded('sd-tiny-inpaint')]).toEqual([false, true]);
    expect(loads).toBe(3);
    inpaintAgain.release();
    registry.disposeAll();
    expect(tf.memory().numTensors).toBe(before);
  });
});
