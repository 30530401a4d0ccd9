import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { SafetensorsFile } from '../../src/engine/safetensors/reader.js';
import type { ParameterHolder, WeightMap } from '../../src/engine/types.js';
import { loadDiffusersFolder, type StableDiffusionWeights } from '../../src/engine/weights/diffusers-folder.js';
import { paramToComputeLayout } from '../../src/engine/weights/layout.js';
import { loadLora, parseLora, saveLoraKohya, type LoraModuleWeights, type LoraWeights } from '../../src/engine/weights/lora.js';
import { applyLora, loraLookup } from '../../src/engine/weights/lora-apply.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');
const loraPath = join(fixtures, 'lora/sd-tiny-kohya.safetensors');

/** What a model class holds: tf.Variables in compute layout keyed by the reference names. */
function holderOf(weights: WeightMap): ParameterHolder {
  const parameters = new Map<string, tf.Variable>();
  for (const [name, t] of weights) {
    const compute = paramToComputeLayout(name, t);
    parameters.set(name, tf.variable(compute, false, `${name}-${Math.random()}`));
    compute.dispose();
  }
  return { parameters, dispose: () => parameters.forEach((v) => v.dispose()) };
}

function snapshot(holder: ParameterHolder): Map<string, Float32Array> {
  return new Map([...holder.parameters].map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

function expectBitExact(holder: ParameterHolder, before: Map<string, Float32Array>): void {
  let differing = 0;
  for (const [name, v] of holder.parameters) {
    const now = v.dataSync();
    const then = before.get(name)!;
    if (now.length !== then.length || now.some((x, i) => !Object.is(x, then[i]))) differing++;
  }
  expect(differing).toBe(0);
}

/** up @ down * factor, computed in float64 by plain loops from the file's values: [out, in] row-major. */
async function expectedDeltaTorch(file: SafetensorsFile, module: string, factor: number): Promise<{ delta: Float64Array; out: number; in: number }> {
  const up = await file.readDecoded(`${module}.lora_up.weight`);
  const down = await file.readDecoded(`${module}.lora_down.weight`);
  const [out, r] = up.shape;
  const inSize = down.values.length / r;
  const delta = new Float64Array(out * inSize);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inSize; i++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += up.values[o * r + k] * down.values[k * inSize + i];
      delta[o * inSize + i] = sum * factor;
    }
  return { delta, out, in: inSize };
}

let model: StableDiffusionWeights;
let unet: ParameterHolder;
let textEncoder: ParameterHolder;
let lora: LoraWeights;
let dir: string;

beforeAll(async () => {
  await initBackend('wasm', { strict: true });
  model = await loadDiffusersFolder(join(fixtures, 'models/sd-tiny'));
  unet = holderOf(model.unet.weights);
  textEncoder = holderOf(model.textEncoder.weights);
  lora = await loadLora(loraPath);
  dir = await mkdtemp(join(tmpdir(), 'lora-test-'));
});

afterAll(async () => {
  lora.dispose();
  unet.dispose();
  textEncoder.dispose();
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('kohya LoRA', () => {
  it('parses the fixture LoRA: 210 rank-4 modules with alpha 2, UNet and text encoder', () => {
    expect(lora.modules.size).toBe(210);
    const modules = [...lora.modules.values()];
    expect(modules.every((m) => m.rank === 4 && m.alpha === 2)).toBe(true);
    expect(modules.filter((m) => m.target === 'text_encoder').length).toBeGreaterThan(0);
    expect(lora.metadata.ss_network_module).toBe('networks.lora');
    const proj = lora.modules.get('lora_unet_mid_block_attentions_0_proj_in')!;
    expect(proj.down.shape).toEqual([4, 32, 1, 1]);
  });

  it('maps every module to the model parameter of the same path despite underscores in names', () => {
    const lookup = new Map([...loraLookup('unet', unet), ...loraLookup('text_encoder', textEncoder)]);
    const unmatched = [...lora.modules.keys()].filter((name) => !lookup.has(name));
    expect(unmatched).toEqual([]);
    expect(lookup.get('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_out_0')).toBe(
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0.weight',
    );
    expect(lookup.get('lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_ff_net_0_proj')).toBe(
      'up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj.weight',
    );
    expect(lookup.get('lora_te_text_model_encoder_layers_2_mlp_fc1')).toBe('text_model.encoder.layers.2.mlp.fc1.weight');
  });

  it('changes each weight by exactly scale * alpha/r * up @ down, and remove() restores it bit-exactly without leaks', async () => {
    const beforeUnet = snapshot(unet);
    const beforeText = snapshot(textEncoder);
    const tensorsBefore = tf.memory().numTensors;
    const scale = 0.7;
    const applied = applyLora({ unet, textEncoder }, lora, scale);
    expect(applied.parameters).toHaveLength(210);

    const file = await SafetensorsFile.open(loraPath);
    const checks: [string, ParameterHolder, Map<string, Float32Array>, string][] = [
      ['lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q', unet, beforeUnet, 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight'],
      ['lora_unet_mid_block_attentions_0_proj_in', unet, beforeUnet, 'mid_block.attentions.0.proj_in.weight'],
      ['lora_unet_up_blocks_1_attentions_1_transformer_blocks_0_attn2_to_k', unet, beforeUnet, 'up_blocks.1.attentions.1.transformer_blocks.0.attn2.to_k.weight'],
      ['lora_te_text_model_encoder_layers_0_self_attn_q_proj', textEncoder, beforeText, 'text_model.encoder.layers.0.self_attn.q_proj.weight'],
    ];
    for (const [module, holder, before, parameter] of checks) {
      const { delta, out, in: inSize } = await expectedDeltaTorch(file, module, scale * (2 / 4));
      const now = holder.parameters.get(parameter)!.dataSync();
      const then = before.get(parameter)!;
      // Compute layout of a linear [in, out] and of a 1x1 conv [1, 1, in, out] share the same memory order.
      let worst = 0;
      for (let o = 0; o < out; o++)
        for (let i = 0; i < inSize; i++) worst = Math.max(worst, Math.abs(now[i * out + o] - then[i * out + o] - delta[o * inSize + i]));
      expect(worst, module).toBeLessThan(2e-7);
      expect(Math.max(...delta.map(Math.abs)), module).toBeGreaterThan(1e-3); // the check is not vacuous
    }
    await file.close();
    // Untouched parameters (resnets, norms) stay bit-identical while the LoRA is on.
    expect(unet.parameters.get('down_blocks.0.resnets.0.conv1.weight')!.dataSync()).toEqual(beforeUnet.get('down_blocks.0.resnets.0.conv1.weight'));

    applied.remove();
    expectBitExact(unet, beforeUnet);
    expectBitExact(textEncoder, beforeText);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('scale 0.5 changes weights by half of what scale 1 does', () => {
    const name = 'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_v.weight';
    const base = unet.parameters.get(name)!.dataSync().slice();
    const full = applyLora({ unet, textEncoder }, lora, 1);
    const atOne = unet.parameters.get(name)!.dataSync().slice();
    full.remove();
    const half = applyLora({ unet, textEncoder }, lora, 0.5);
    const atHalf = unet.parameters.get(name)!.dataSync().slice();
    half.remove();
    const worst = Math.max(...atOne.map((v, i) => Math.abs((atHalf[i] - base[i]) * 2 - (v - base[i]))));
    expect(worst).toBeLessThan(1e-6);
  });

  it('stacks LoRAs and only removes them newest first', () => {
    const before = snapshot(unet);
    const first = applyLora({ unet, textEncoder }, lora, 1);
    const second = applyLora({ unet, textEncoder }, lora, -0.3);
    expect(() => first.remove()).toThrow(/cannot be removed before the LoRAs applied after it/);
    second.remove();
    first.remove();
    first.remove(); // idempotent
    expectBitExact(unet, before);
  });

  it('rejects a LoRA for another architecture, naming unmatched modules, and leaves the model untouched', async () => {
    const before = snapshot(unet);
    const foreign = await parseLora('sdxl-like.safetensors', new Map<string, tf.Tensor>([
      ['lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight', tf.zeros([4, 16])],
      ['lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight', tf.zeros([16, 4])],
      ['lora_unet_input_blocks_4_1_proj_in.lora_down.weight', tf.zeros([4, 32])],
      ['lora_unet_input_blocks_4_1_proj_in.lora_up.weight', tf.zeros([32, 4])],
    ]));
    expect(() => applyLora({ unet, textEncoder }, foreign, 1)).toThrow(
      /sdxl-like\.safetensors: LoRA does not fit this model .*1 of 2 modules match no parameter, e\.g\. lora_unet_input_blocks_4_1_proj_in/,
    );
    foreign.dispose();
    expectBitExact(unet, before);
  });

  it('rejects a module whose shape does not fit its parameter', async () => {
    const before = snapshot(unet);
    const wrong = await parseLora('wrong.safetensors', new Map<string, tf.Tensor>([
      ['lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight', tf.zeros([4, 24])],
      ['lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight', tf.zeros([16, 4])],
    ]));
    expect(() => applyLora({ unet }, wrong, 1)).toThrow(
      /lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q \(down \[4,24\], up \[16,4\]\) does not fit down_blocks\.0\.attentions\.0\.transformer_blocks\.0\.attn1\.to_q\.weight \[16,16\]/,
    );
    wrong.dispose();
    expectBitExact(unet, before);
  });

  it('needs a model for every part the LoRA targets', () => {
    expect(() => applyLora({ unet }, lora, 1)).toThrow(/has lora_te_\* modules but no text_encoder was given/);
  });

  it('rejects malformed LoRA files clearly', async () => {
    await expect(parseLora('a.st', new Map([['lora_unet_x.lora_down.weight', tf.zeros([4, 8])]]))).rejects.toThrow(/a\.st: module lora_unet_x lacks its up weight \(kohya format\)/);
    await expect(parseLora('b.st', new Map([['unet.down_blocks.0.lora_A.weight', tf.zeros([4, 8])]]))).rejects.toThrow(/b\.st: module lora_unet_down_blocks_0 lacks its up weight \(peft format\)/);
    await expect(
      parseLora('sdxl.st', new Map([
        ['lora_unet_input_blocks_4_1_proj_in.lora_down.weight', tf.zeros([4, 8])],
        ['lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', tf.zeros([4, 8])],
      ])),
    ).rejects.toThrow(/sdxl\.st: not an SD 1\.x\/2\.x LoRA in kohya format \(LoHa\/LoKr, SDXL and transformer-model LoRAs are not supported\); the first key that does not map: lora_te1_text_model_encoder_layers_0_mlp_fc1\.lora_down\.weight/);
    await expect(
      parseLora('c.st', new Map([
        ['lora_te_m.lora_down.weight', tf.zeros([4, 8])],
        ['lora_te_m.lora_up.weight', tf.zeros([8, 2])],
      ])),
    ).rejects.toThrow(/c\.st: module lora_te_m: down \[4,8\] and up \[8,2\] do not share a rank/);
  });

  it('saveLoraKohya writes a file that parses back to the same modules and applies identically', async () => {
    const lookup = new Map([...loraLookup('unet', unet), ...loraLookup('text_encoder', textEncoder)]);
    const modules: LoraModuleWeights[] = [...lora.modules.values()].map((m) => ({
      target: m.target,
      module: lookup.get(m.name)!.replace(/\.weight$/, ''),
      down: m.down,
      up: m.up,
      alpha: m.alpha,
    }));
    const path = join(dir, 'trained.safetensors');
    await saveLoraKohya(path, modules, { ss_training_comment: 'round trip' });
    const back = await loadLora(path);
    expect(back.metadata).toMatchObject({ ss_network_module: 'networks.lora', ss_network_dim: '4', ss_training_comment: 'round trip' });
    expect([...back.modules.keys()].sort()).toEqual([...lora.modules.keys()].sort());
    for (const m of lora.modules.values()) {
      const b = back.modules.get(m.name)!;
      expect(b.alpha).toBe(m.alpha);
      expect(b.down.dataSync()).toEqual(m.down.dataSync());
      expect(b.up.dataSync()).toEqual(m.up.dataSync());
    }
    const viaOriginal = applyLora({ unet, textEncoder }, lora, 0.8);
    const expected = snapshot(unet);
    viaOriginal.remove();
    const viaSaved = applyLora({ unet, textEncoder }, back, 0.8);
    expectBitExact(unet, expected);
    viaSaved.remove();
    back.dispose();
  });
});
