// Activation checkpointing at the UNet's stage boundaries gives the gradients of the plain tape: for every
// UNet parameter (skips, conv_in and the head included), and for LoRA factors on an offloaded UNet through
// the training step, with no tensor left behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStableDiffusion, type StableDiffusionModel, DDPMScheduler, loadLora } from '../../src/engine/training.js';
import { checkpointedUNetGrads } from '../../src/training/checkpointed-grads.js';
import { epsilonLoss } from '../../src/training/diffusion-loss.js';
import { lossAndGrads, type StepInputs } from '../../src/training/diffusion-step.js';
import { LoraNetwork, UNET_ATTENTION_TARGETS } from '../../src/training/lora/lora-network.js';
import { loraTrainable } from '../../src/training/trainable.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDataset } from '../../src/training/datasets/index.js';
import { parseTrainConfig } from '../../src/training/train-config.js';
import { Trainer } from '../../src/training/trainer.js';
import { writeColourDataset } from './colour-dataset.js';
import { loadTiny, SD_TINY, setUpWasm } from './helpers.js';

let sd: StableDiffusionModel;

beforeAll(async () => {
  await setUpWasm();
  sd = await loadTiny();
});
afterAll(() => sd?.dispose());

/** Largest |a - b| relative to the largest |b| over all gradients. */
function relativeError(a: ReadonlyMap<string, tf.Tensor>, b: ReadonlyMap<string, tf.Tensor>): number {
  let diff = 0;
  let scale = 0;
  for (const [name, x] of b) {
    const y = a.get(name);
    if (y === undefined) return Infinity;
    const xs = x.dataSync();
    const ys = y.dataSync();
    for (let i = 0; i < xs.length; i++) {
      diff = Math.max(diff, Math.abs(xs[i] - ys[i]));
      scale = Math.max(scale, Math.abs(xs[i]));
    }
  }
  return diff / scale;
}

describe('checkpointed UNet gradients', () => {
  it('equal the plain tape for every UNet parameter', async () => {
    const x = tf.randomNormal([2, 16, 16, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const target = tf.randomNormal([2, 16, 16, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const t = tf.tensor1d([700, 30]);
    const states = tf.randomNormal([2, 77, 32], 0, 1, 'float32', 7) as tf.Tensor3D;
    const params = sd.unet.parameters;
    const names = [...params.keys()];
    const vars = names.map((n) => params.get(n) as tf.Variable);
    for (const v of vars) v.trainable = true;
    const plain = tf.variableGrads(() => epsilonLoss(sd.unet.forward(x, t, states), target), vars);
    for (const v of vars) v.trainable = false;
    const reference = new Map(names.map((n, i) => [n, plain.grads[vars[i].name]]));

    const before = tf.memory().numTensors;
    const checkpointed = await checkpointedUNetGrads(sd.unet, x, t, states, (pred) => epsilonLoss(pred, target), params);
    // Only the gradients are new.
    expect(tf.memory().numTensors).toBe(before + names.length);
    expect(Math.abs(checkpointed.loss - plain.value.dataSync()[0])).toBeLessThan(1e-6);
    expect(checkpointed.grads.size).toBe(names.length);
    expect(relativeError(checkpointed.grads, reference)).toBeLessThan(1e-4);
    // Not vacuous: the gradients reach conv_in, the time embedding, the skip-fed up blocks and the head.
    for (const name of ['conv_in.weight', 'time_embedding.linear_1.weight', 'up_blocks.1.resnets.0.conv1.weight', 'conv_out.bias']) {
      expect(tf.max(tf.abs(checkpointed.grads.get(name) as tf.Tensor)).dataSync()[0]).toBeGreaterThan(0);
    }
    tf.dispose([x, target, t, states, plain.value, ...Object.values(plain.grads), ...checkpointed.grads.values()]);
  });

  it('train LoRA on an offloaded UNet with the gradients of a resident one', async () => {
    const offloaded = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: true, unetResidentBytes: 1_000_000 });
    const inputs: StepInputs = {
      pixels: tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 8) as tf.Tensor4D,
      inputIds: tf.fill([2, 77], 49407, 'int32') as tf.Tensor2D,
      vaeEps: tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 9) as tf.Tensor4D,
      noise: tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 10) as tf.Tensor4D,
      timesteps: [900, 120],
      lossWeights: [1, 0.5],
    };
    const step = async (model: StableDiffusionModel) => {
      const lora = new LoraNetwork([{ kind: 'unet', model: model.unet, patterns: UNET_ATTENTION_TARGETS }], { rank: 2, alpha: 4, seed: 3 });
      // A non-zero up factor, so that the LoRA changes the forward pass and down gets gradients too.
      for (const m of lora.modules) tf.tidy(() => m.up.assign(tf.randomNormal(m.up.shape, 0, 0.1, 'float32', 12)));
      const models = { unet: model.unet, vae: model.vae, textEncoder: model.textEncoder, noiseScheduler: new DDPMScheduler(model.schedulerConfig) };
      const result = await lossAndGrads(models, loraTrainable(lora, false), inputs);
      return { lora, result };
    };
    const reference = await step(sd);
    const before = tf.memory().numTensors;
    const checkpointed = await step(offloaded);
    // The new LoRA factors (2 per module) and their gradients.
    expect(tf.memory().numTensors).toBe(before + 4 * checkpointed.lora.modules.length);
    expect(Math.abs(checkpointed.result.loss - reference.result.loss)).toBeLessThan(1e-6);
    expect(relativeError(checkpointed.result.grads, reference.result.grads)).toBeLessThan(1e-4);
    await expect(
      lossAndGrads({ unet: offloaded.unet, vae: offloaded.vae, textEncoder: offloaded.textEncoder, noiseScheduler: new DDPMScheduler(offloaded.schedulerConfig) }, loraTrainable(checkpointed.lora, true), inputs),
    ).rejects.toThrow(/UNet LoRA only/);
    for (const r of [reference, checkpointed]) {
      tf.dispose([...r.result.grads.values()]);
      r.lora.dispose();
    }
    tf.dispose(Object.values(inputs).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    offloaded.dispose();
  });

  it('let the Trainer train a LoRA (with validation samples) on an offloaded UNet as on a resident one', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'offload-train-'));
    try {
      const { examples } = await loadDataset({ data: await writeColourDataset(path.join(root, 'data'), 64, 1) });
      const config = parseTrainConfig({ mode: 'lora', steps: 3, lr: 1e-2, resolution: 64, loraRank: 2, loraAlpha: 2, validationPrompts: ['a red dress'], validationEvery: 3, validationSteps: 2 });
      const trainOn = async (offload: boolean, out: string) => {
        const model = await loadStableDiffusion(SD_TINY, { offloadUNetWeights: offload, unetResidentBytes: 0 });
        const trainer = new Trainer({ model, base: { source: SD_TINY, configDir: SD_TINY }, examples, config, outDir: path.join(root, out) });
        let samples = 0;
        trainer.on('sample', () => samples++);
        const summary = await trainer.run();
        trainer.dispose();
        model.dispose();
        return { file: summary.output as string, samples };
      };
      const before = tf.memory().numTensors;
      const resident = await trainOn(false, 'resident');
      const offloaded = await trainOn(true, 'offloaded');
      // Trainer, optimizer and LoRA disposed: nothing of either run is left.
      expect(tf.memory().numTensors).toBe(before);
      expect(offloaded.samples).toBe(1);
      const [a, b] = await Promise.all([loadLora(resident.file), loadLora(offloaded.file)]);
      let diff = 0;
      let moved = 0;
      for (const [name, m] of a.modules) {
        const other = b.modules.get(name);
        expect(other).toBeDefined();
        const other_ = other as typeof m;
        diff = Math.max(diff, tf.tidy(() => tf.max(tf.abs(tf.sub(m.up, other_.up))).dataSync()[0]));
        moved = Math.max(moved, tf.tidy(() => tf.max(tf.abs(m.up)).dataSync()[0]));
      }
      // up starts at zero, so `moved` is what training changed; both runs changed it alike.
      expect(moved).toBeGreaterThan(1e-3);
      expect(diff).toBeLessThan(1e-3 * moved);
      a.dispose();
      b.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
