import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { disposeWeights, loadSafetensors } from '../../src/engine/safetensors/reader.js';
import { writeSafetensors } from '../../src/engine/safetensors/writer.js';
import { loadComponent, loadDiffusersFolder } from '../../src/engine/weights/diffusers-folder.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtureModel = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'fixtures/sd-tiny/models/sd-tiny');

let dir: string;
beforeAll(async () => {
  await initBackend('wasm', { strict: true });
  dir = await mkdtemp(join(tmpdir(), 'weights-folder-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A diffusers folder skeleton: the fixture's JSON configs and placeholder tokenizer files, no weights. */
async function skeleton(name: string): Promise<string> {
  const root = join(dir, name);
  for (const sub of ['scheduler', 'tokenizer', 'unet', 'vae', 'text_encoder']) await mkdir(join(root, sub), { recursive: true });
  await copyFile(join(fixtureModel, 'model_index.json'), join(root, 'model_index.json'));
  await copyFile(join(fixtureModel, 'scheduler/scheduler_config.json'), join(root, 'scheduler/scheduler_config.json'));
  for (const c of ['unet', 'vae', 'text_encoder']) await copyFile(join(fixtureModel, c, 'config.json'), join(root, c, 'config.json'));
  await writeFile(join(root, 'tokenizer/vocab.json'), '{}');
  await writeFile(join(root, 'tokenizer/merges.txt'), '#version: 0.2\n');
  return root;
}

describe('loadDiffusersFolder', () => {
  it('loads the fixture folder: raw configs, PyTorch-layout weights, tokenizer and scheduler, and disposes cleanly', async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const sd = await loadDiffusersFolder(fixtureModel, { onProgress: (done, total) => done === total && progress.push(total) });
    expect(sd.modelIndex._class_name).toBe('StableDiffusionPipeline');
    expect(sd.schedulerConfig._class_name).toBe('PNDMScheduler');
    expect(sd.tokenizerDir).toBe(join(fixtureModel, 'tokenizer'));
    expect(sd.unet.config.block_out_channels).toEqual([16, 32, 32, 32]);
    expect(sd.vae.config.scaling_factor).toBe(0.18215);
    expect(sd.textEncoder.config.num_hidden_layers).toBe(3);
    expect([sd.unet.weights.size, sd.vae.weights.size, sd.textEncoder.weights.size]).toEqual([684, 180, 52]);
    expect(progress).toEqual([52, 684, 180]);
    expect(sd.unet.weights.get('conv_in.weight')!.shape).toEqual([16, 4, 3, 3]);
    expect(sd.vae.weights.get('decoder.mid_block.attentions.0.to_q.weight')!.shape).toEqual([32, 32]);
    expect(sd.textEncoder.weights.get('text_model.embeddings.token_embedding.weight')!.shape).toEqual([49408, 32]);
    expect(sd.unet.weightFiles).toEqual([join(fixtureModel, 'unet/diffusion_pytorch_model.safetensors')]);
    sd.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads the fp16 variant file names and sharded weights with an index', async () => {
    const root = await skeleton('variants');
    const unet = await loadSafetensors(join(fixtureModel, 'unet/diffusion_pytorch_model.safetensors'));
    await writeSafetensors(join(root, 'unet/diffusion_pytorch_model.fp16.safetensors'), unet, undefined, { floatDtype: 'F16' });
    const te = await loadSafetensors(join(fixtureModel, 'text_encoder/model.safetensors'));
    const names = [...te.keys()];
    const half = Math.floor(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    for (const [i, part] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(join(root, 'text_encoder', file), new Map(part.map((n) => [n, te.get(n)!])));
      for (const n of part) weightMap[n] = file;
    }
    await writeFile(join(root, 'text_encoder/model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));

    // Only the fp16 file exists: found without asking for the variant, values are the F16-rounded originals.
    const loadedUnet = await loadComponent(root, 'unet');
    expect(loadedUnet.weightFiles).toEqual([join(root, 'unet/diffusion_pytorch_model.fp16.safetensors')]);
    expect(loadedUnet.weights.size).toBe(unet.size);
    const a = unet.get('conv_in.weight')!.dataSync();
    const b = loadedUnet.weights.get('conv_in.weight')!.dataSync();
    expect(b[0]).not.toBe(a[0]);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(v), 2 ** -14)))).toBeLessThan(2 ** -10);

    // With both files present the variant decides.
    await writeSafetensors(join(root, 'unet/diffusion_pytorch_model.safetensors'), unet);
    const full = await loadComponent(root, 'unet');
    const variant = await loadComponent(root, 'unet', { variant: 'fp16' });
    expect(full.weightFiles[0]).toMatch(/diffusion_pytorch_model\.safetensors$/);
    expect(variant.weightFiles[0]).toMatch(/diffusion_pytorch_model\.fp16\.safetensors$/);

    const sharded = await loadComponent(root, 'text_encoder');
    expect(sharded.weightFiles).toHaveLength(2);
    expect([...sharded.weights.keys()].sort()).toEqual([...names].sort());
    for (const m of [unet, te, loadedUnet.weights, full.weights, variant.weights, sharded.weights]) disposeWeights(m);
  });

  it('names the missing or unreadable file', async () => {
    const root = await skeleton('broken');
    await expect(loadDiffusersFolder(join(dir, 'nowhere'))).rejects.toThrow(`${join(dir, 'nowhere', 'model_index.json')}: cannot read (ENOENT)`);
    await expect(loadDiffusersFolder(root)).rejects.toThrow(
      `${join(root, 'text_encoder', 'model.safetensors')}: missing (no text_encoder weights in ${join(root, 'text_encoder')})`,
    );
    await writeFile(join(root, 'text_encoder/pytorch_model.bin'), 'x');
    await expect(loadComponent(root, 'text_encoder')).rejects.toThrow(/text_encoder\/pytorch_model\.bin: PyTorch pickle weights are not supported/);
    await writeFile(join(root, 'vae/config.json'), '{"block_out_channels": [1,');
    await expect(loadComponent(root, 'vae')).rejects.toThrow(`${join(root, 'vae', 'config.json')}: not valid JSON`);
    await rm(join(root, 'tokenizer/merges.txt'));
    await expect(loadDiffusersFolder(root)).rejects.toThrow(`${join(root, 'tokenizer', 'merges.txt')}: missing`);
  });
});
