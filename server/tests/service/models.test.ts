// The models directory scan and the LRU of loaded models, on the fixture models.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/index.js';
import { ModelNameError, ModelNotFoundError, ModelCatalog } from '../../src/model-store/catalog.js';
import { ModelRegistry, type ModelRef } from '../../src/model-store/registry.js';
import { scanModelsDir } from '../../src/model-store/scan.js';
import { chooseDefaults } from '../../src/model-store/defaults.js';
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

  it('counts weight files linked into a model folder (a shared download cache) like files', async () => {
    const dir = linkedModelsDir();
    const source = path.join(SHARED_DIR, 'fixtures/sd-tiny/models/sd-tiny');
    const copy = path.join(dir, 'sd-tiny-linked');
    fs.cpSync(source, copy, { recursive: true, dereference: true });
    const [unetWeights] = fs.readdirSync(path.join(copy, 'unet')).filter((f) => f.endsWith('.safetensors'));
    fs.rmSync(path.join(copy, 'unet', unetWeights!));
    fs.symlinkSync(path.join(source, 'unet', unetWeights!), path.join(copy, 'unet', unetWeights!));
    const { models } = await scanModelsDir(dir);
    const byName = new Map(models.map((m) => [m.name, m]));
    expect(byName.get('sd-tiny-linked')!.memoryBytes).toBe(byName.get('sd-tiny')!.memoryBytes);
    expect(byName.get('sd-tiny-linked')!.sizeBytes).toBe(byName.get('sd-tiny')!.sizeBytes);
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
    // Room for one tiny model, not two.
    const registry = new ModelRegistry(15 * 1024 * 1024);
    const models = registry.ofKind<StableDiffusionModel>('stable-diffusion', async (entry) => {
      loads++;
      const model = await loadStableDiffusion(entry.path);
      return { value: model, dispose: () => model.dispose() };
    });
    const isLoaded = (...entries: ModelRef[]) => entries.map((e) => models.isLoaded(e));
    const catalog = new ModelCatalog();
    await catalog.refresh([linkedModelsDir()]);
    const base = catalog.find('model', 'sd-tiny', ['base']);
    const inpaint = catalog.find('model', 'sd-tiny-inpaint', ['inpaint']);
    const before = tf.memory().numTensors;

    const first = await models.acquire(base);
    const again = await models.acquire(base);
    expect(loads).toBe(1);
    expect(again.value).toBe(first.value);
    expect(again.loadMs).toBe(0);
    const withBase = tf.memory().numTensors;

    // Both leases of the base are held: the inpainting model loads over budget rather than evict it,
    // and goes again as soon as it is released.
    const held = await models.acquire(inpaint);
    expect(isLoaded(base, inpaint)).toEqual([true, true]);
    held.release();
    expect(isLoaded(base, inpaint)).toEqual([true, false]);
    expect(tf.memory().numTensors).toBe(withBase);
    first.release();
    again.release();

    // Idle now, the base is the least recently used model and makes room for the inpainting one.
    const inpaintAgain = await models.acquire(inpaint);
    expect(isLoaded(base, inpaint)).toEqual([false, true]);
    expect(loads).toBe(3);
    inpaintAgain.release();
    registry.disposeAll();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps every kind in one budget and one LRU, and a variant apart from the model it is made from', async () => {
    const disposed: string[] = [];
    const loaded: string[] = [];
    const fake = async (ref: ModelRef) => {
      loaded.push(ref.name);
      return { value: ref.name, dispose: () => disposed.push(ref.name) };
    };
    const registry = new ModelRegistry(100);
    const pipelines = registry.ofKind('pipeline', fake);
    const decoders = registry.ofKind('decoder', fake);
    const adapters = registry.ofKind('adapter', fake);
    expect(() => registry.ofKind('decoder', fake)).toThrow(/twice/);
    const inpaint = { name: 'inpaint', path: '/m/inpaint', memoryBytes: 60 };

    (await decoders.acquire({ name: 'taesd', path: '/m/taesd', memoryBytes: 10 })).release();
    (await pipelines.acquire(inpaint)).release();
    // 70 + 35 is over 100: the decoder, used least recently, goes; the pipeline stays.
    (await adapters.acquire({ name: 'ip-adapter', path: '/m/ip', memoryBytes: 35 })).release();
    expect(disposed).toEqual(['taesd']);

    // Same path and kind, another variant: a model of its own, which evicts the now least recently used pipeline.
    const variant = await pipelines.acquire({ ...inpaint, name: 'inpaint+catvton', variant: '/m/catvton' });
    expect(variant.value).toBe('inpaint+catvton');
    expect(loaded).toEqual(['taesd', 'inpaint', 'ip-adapter', 'inpaint+catvton']);
    expect(disposed).toEqual(['taesd', 'inpaint']);
    expect(registry.resident()).toEqual([
      { kind: 'adapter', name: 'ip-adapter', bytes: 35, leases: 0 },
      { kind: 'pipeline', name: 'inpaint+catvton', bytes: 60, leases: 1 },
    ]);
    expect(registry.residentBytes()).toBe(95);

    // Shutdown frees what is idle and keeps what a job still holds.
    registry.disposeAll();
    expect(registry.resident().map((m) => m.name)).toEqual(['inpaint+catvton']);
    variant.release();
    registry.disposeAll();
    expect([registry.resident(), registry.residentBytes()]).toEqual([[], 0]);
    expect(disposed).toEqual(['taesd', 'inpaint', 'ip-adapter', 'inpaint+catvton']);
  });
});
