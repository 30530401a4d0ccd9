import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { disposeWeights, loadSafetensors } from '../../src/engine/safetensors/reader.js';
import { writeSafetensors } from '../../src/engine/safetensors/writer.js';
import type { WeightMap } from '../../src/engine/types.js';
import { loadDiffusersFolder, type StableDiffusionWeights } from '../../src/engine/weights/diffusers-folder.js';
import { loadSingleFile } from '../../src/engine/weights/single-file.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');
const configDir = join(fixtures, 'models/sd-tiny');
const singleFile = join(fixtures, 'single-file/sd-tiny.safetensors');

let dir: string;
let folder: StableDiffusionWeights;
let original: WeightMap;

beforeAll(async () => {
  await initBackend('wasm', { strict: true });
  dir = await mkdtemp(join(tmpdir(), 'single-file-test-'));
  folder = await loadDiffusersFolder(configDir);
  original = await loadSafetensors(singleFile);
});
afterAll(async () => {
  folder.dispose();
  disposeWeights(original);
  await rm(dir, { recursive: true, force: true });
});

/** Every key of `expected` present in `actual` with the same shape and bit-identical values, and nothing more. */
function expectSameWeights(actual: WeightMap, expected: WeightMap): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  const differing: string[] = [];
  for (const [name, t] of expected) {
    const a = actual.get(name)!;
    const x = t.dataSync();
    const y = a.dataSync();
    if (a.shape.join() !== t.shape.join() || x.some((v, i) => !Object.is(v, y[i]))) differing.push(name);
  }
  expect(differing).toEqual([]);
}

/** A variant of the fixture checkpoint: drop keys, add tensors. */
async function variant(name: string, edit: (weights: WeightMap) => Map<string, tf.Tensor>): Promise<string> {
  const path = join(dir, name);
  const edited = edit(new Map(original));
  await writeSafetensors(path, edited);
  const shared = new Set(original.values());
  for (const t of edited.values()) if (!shared.has(t)) t.dispose();
  return path;
}

describe('loadSingleFile', () => {
  it('converts the CompVis/A1111 fixture to exactly the tensors of the diffusers folder', async () => {
    const before = tf.memory().numTensors;
    let last = [0, 0];
    const sd = await loadSingleFile(singleFile, configDir, { onProgress: (done, total) => (last = [done, total]) });
    expectSameWeights(sd.unet.weights, folder.unet.weights);
    expectSameWeights(sd.vae.weights, folder.vae.weights);
    expectSameWeights(sd.textEncoder.weights, folder.textEncoder.weights);
    expect(last).toEqual([916, 916]);
    expect(sd.unet.config).toEqual(folder.unet.config);
    expect(sd.schedulerConfig).toEqual(folder.schedulerConfig);
    expect(sd.tokenizerDir).toBe(join(configDir, 'tokenizer'));
    sd.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ignores position_ids, EMA copies and scheduler buffers real checkpoints carry', async () => {
    const path = await variant('extras.safetensors', (w) =>
      w
        .set('cond_stage_model.transformer.text_model.embeddings.position_ids', tf.reshape(tf.range(0, 77, 1, 'int32'), [1, 77]))
        .set('model_ema.decay', tf.scalar(0.9999))
        .set('model_ema.diffusion_modelconv_inweight', tf.zeros([1]))
        .set('alphas_cumprod', tf.ones([1000])),
    );
    const sd = await loadSingleFile(path, configDir);
    expect(sd.textEncoder.weights.has('text_model.embeddings.position_ids')).toBe(false);
    expect(sd.unet.weights.size).toBe(folder.unet.weights.size);
    sd.dispose();
  });

  it('lists the missing tensors by their diffusers names', async () => {
    const path = await variant('missing.safetensors', (w) => {
      w.delete('model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight');
      w.delete('first_stage_model.decoder.up.0.block.1.conv2.bias');
      return w;
    });
    const before = tf.memory().numTensors;
    await expect(loadSingleFile(path, configDir)).rejects.toThrow(
      /missing 2 tensors: down_blocks\.1\.attentions\.0\.transformer_blocks\.0\.attn2\.to_k\.weight \(model\.diffusion_model\.input_blocks\.4\.1\.transformer_blocks\.0\.attn2\.to_k\.weight\), decoder\.up_blocks\.3\.resnets\.1\.conv2\.bias/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a checkpoint of another architecture than the config', async () => {
    const path = await variant('foreign.safetensors', (w) => w.set('model.diffusion_model.label_emb.0.0.weight', tf.zeros([2, 2])));
    await expect(loadSingleFile(path, configDir)).rejects.toThrow(/another architecture\?\); 1 tensors have no place: model\.diffusion_model\.label_emb\.0\.0\.weight/);
    const otherConfig = join(dir, 'config-lpb1');
    await cp(configDir, otherConfig, { recursive: true, filter: (src) => !src.endsWith('.safetensors') && !src.endsWith('.txt') && !src.endsWith('vocab.json') });
    const unetConfig = JSON.parse(await readFile(join(otherConfig, 'unet/config.json'), 'utf8'));
    await writeFile(join(otherConfig, 'unet/config.json'), JSON.stringify({ ...unetConfig, layers_per_block: 1 }));
    await expect(loadSingleFile(singleFile, otherConfig)).rejects.toThrow(/does not fit the config in .*config-lpb1; missing \d+ tensors: down_blocks\.0\.downsamplers\.0\.conv\.weight/);
  });

  it('rejects pickled .ckpt files and SDXL checkpoints clearly', async () => {
    await expect(loadSingleFile(join(dir, 'model.ckpt'), configDir)).rejects.toThrow(/model\.ckpt: only \.safetensors checkpoints are supported/);
    const sdxl = await variant('sdxl.safetensors', (w) => w.set('conditioner.embedders.0.transformer.text_model.final_layer_norm.bias', tf.zeros([2])));
    await expect(loadSingleFile(sdxl, configDir)).rejects.toThrow(/an SDXL checkpoint/);
  });

  it('converts the older transformers layout (no text_model.) and SD 2.x OpenCLIP text encoders', async () => {
    const clipPrefix = 'cond_stage_model.transformer.text_model.';
    const legacy = await variant('legacy.safetensors', (w) => {
      const out = new Map<string, tf.Tensor>();
      for (const [k, t] of w) out.set(k.startsWith(clipPrefix) ? `cond_stage_model.transformer.${k.slice(clipPrefix.length)}` : k, t);
      return out;
    });
    const openClip = await variant('openclip.safetensors', (w) => {
      const out = new Map<string, tf.Tensor>([...w].filter(([k]) => !k.startsWith(clipPrefix)));
      const te = (k: string) => w.get(`${clipPrefix}${k}`)!;
      const oc = 'cond_stage_model.model.';
      out.set(`${oc}token_embedding.weight`, te('embeddings.token_embedding.weight'));
      out.set(`${oc}positional_embedding`, te('embeddings.position_embedding.weight'));
      out.set(`${oc}ln_final.weight`, te('final_layer_norm.weight')).set(`${oc}ln_final.bias`, te('final_layer_norm.bias'));
      // The file has one block more than the config (SD 2.x uses the penultimate layer) and the projection head.
      for (let l = 0; l < 4; l++) {
        const src = `encoder.layers.${Math.min(l, 2)}`;
        const dst = `${oc}transformer.resblocks.${l}`;
        for (const p of ['weight', 'bias']) {
          out.set(`${dst}.attn.in_proj_${p}`, tf.concat(['q_proj', 'k_proj', 'v_proj'].map((q) => te(`${src}.self_attn.${q}.${p}`)), 0));
          out.set(`${dst}.attn.out_proj.${p}`, te(`${src}.self_attn.out_proj.${p}`));
          out.set(`${dst}.ln_1.${p}`, te(`${src}.layer_norm1.${p}`)).set(`${dst}.ln_2.${p}`, te(`${src}.layer_norm2.${p}`));
          out.set(`${dst}.mlp.c_fc.${p}`, te(`${src}.mlp.fc1.${p}`)).set(`${dst}.mlp.c_proj.${p}`, te(`${src}.mlp.fc2.${p}`));
        }
      }
      out.set(`${oc}text_projection`, tf.zeros([32, 32])).set(`${oc}logit_scale`, tf.scalar(4.6));
      return out;
    });
    for (const path of [legacy, openClip]) {
      const sd = await loadSingleFile(path, configDir);
      expectSameWeights(sd.textEncoder.weights, folder.textEncoder.weights);
      expect(sd.unet.weights.size).toBe(folder.unet.weights.size);
      sd.dispose();
    }
  });
});
