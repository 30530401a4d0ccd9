// A LoRA trained here is a kohya/A1111 file the engine loads: it changes the output, and removed, the output is
// exactly as before. Also: the LoRA starts as a no-op, and gradients reach only its factors.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLora, type StableDiffusionModel } from '../../src/engine/training.js';
import { loadDataset } from '../../src/training/datasets/index.js';
import { LoraNetwork, UNET_ATTENTION_TARGETS } from '../../src/training/lora/lora-network.js';
import { parseTrainConfig } from '../../src/training/train-config.js';
import { Trainer } from '../../src/training/trainer.js';
import { writeColourDataset } from './colour-dataset.js';
import { loadTiny, maxDifference, parameterSnapshot, SD_TINY, setUpWasm } from './helpers.js';

let root: string;

beforeAll(async () => {
  await setUpWasm();
  root = await mkdtemp(path.join(tmpdir(), 'lora-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function generate(sd: StableDiffusionModel): Promise<Float32Array> {
  const r = await sd.txt2img({ prompt: 'a red dress', numInferenceSteps: 3, guidanceScale: 3, height: 64, width: 64, seed: 5 });
  return r.pixels;
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('LoRA training', () => {
  it('starts as a no-op and its forward pass leaves the base weights untouched', async () => {
    const sd = await loadTiny();
    const before = parameterSnapshot(sd.unet.parameters);
    const network = new LoraNetwork(
      [{ kind: 'unet', model: sd.unet, patterns: UNET_ATTENTION_TARGETS }],
      { rank: 4, alpha: 4, seed: 1 },
    );
    // to_q/k/v/out.0 of attn1 and attn2 in each of the 16 transformer blocks of sd-tiny.
    expect(network.modules).toHaveLength(16 * 8);
    const x = tf.randomNormal([1, 8, 8, 4]) as tf.Tensor4D;
    const t = tf.tensor1d([500]);
    const states = tf.randomNormal([1, 77, 32]) as tf.Tensor3D;
    const plain = sd.unet.forward(x, t, states);
    const withLora = network.withEffectiveWeights(() => sd.unet.forward(x, t, states));
    expect(maxAbs(plain.dataSync() as Float32Array, withLora.dataSync() as Float32Array)).toBe(0);
    expect(maxDifference(parameterSnapshot(sd.unet.parameters), before)).toBe(0);
    tf.dispose([x, t, states, plain, withLora]);
    network.dispose();
    sd.dispose();
  });

  it('exports a kohya LoRA (UNet and text encoder) that the engine applies and removes exactly', async () => {
    const data = await writeColourDataset(path.join(root, 'data'), 64, 1);
    const { examples } = await loadDataset({ data });
    const model = await loadTiny();
    const before = parameterSnapshot(model.unet.parameters);
    const trainer = new Trainer({
      model,
      base: { source: SD_TINY, configDir: SD_TINY },
      examples,
      config: parseTrainConfig({ mode: 'lora', steps: 3, lr: 5e-2, resolution: 64, loraRank: 2, loraAlpha: 4, loraTextEncoder: true }),
      outDir: path.join(root, 'out'),
    });
    const summary = await trainer.run();
    trainer.dispose();
    // LoRA training never changes the base model.
    expect(maxDifference(parameterSnapshot(model.unet.parameters), before)).toBe(0);
    model.dispose();

    const file = summary.output as string;
    const lora = await loadLora(file);
    const targets = [...lora.modules.values()].map((m) => m.target);
    expect(targets.filter((t) => t === 'unet')).toHaveLength(128);
    expect(targets.filter((t) => t === 'text_encoder')).toHaveLength(3 * 4);
    expect(lora.metadata.ss_network_dim).toBe('2');
    lora.dispose();

    const sd = await loadTiny();
    const baseline = await generate(sd);
    const handle = await sd.applyLora(file, 1);
    const withLora = await generate(sd);
    handle.remove();
    const after = await generate(sd);
    sd.dispose();
    expect(maxAbs(withLora, baseline)).toBeGreaterThan(1e-3);
    expect(maxAbs(after, baseline)).toBe(0);
  });
});
