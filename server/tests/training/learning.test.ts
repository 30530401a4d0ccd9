// It learns: a tiny model fine-tuned for a few minutes on the CPU on garment silhouettes of four colours,
// captioned with the colour, afterwards draws the prompted colour clearly more often than before, and the loss
// went down. The model: writeRandomModel's sd-tiny text encoder, a small UNet of the same class, and the
// colour-preserving VAE of colour-vae.ts (a random VAE keeps no colour, so nothing could be measured through it).
// The dominant colour of an image is the training colour whose VAE round trip has the nearest mean RGB.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModel, type StableDiffusionModel } from '../../src/engine/training.js';
import { CENTER_DRAW, loadTrainingImage } from '../../src/training/augment.js';
import { loadBaseModel } from '../../src/training/base-model.js';
import { catalogCaption, catalogLineSchema, loadDataset, type TrainingExample } from '../../src/training/datasets/index.js';
import { parseTrainConfig } from '../../src/training/train-config.js';
import { Trainer } from '../../src/training/trainer.js';
import { colourCatalogLine, COLOURS, meanColour, nearestColour, writeColourDataset } from './colour-dataset.js';
import { COLOUR_VAE_CONFIG, makeColourVae } from './colour-vae.js';
import { setUpWasm, TOKENIZER_DIR } from './helpers.js';

const RES = 64;
const SEEDS = [0, 1, 2, 3];
const SMALL_UNET = {
  block_out_channels: [16, 32],
  down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'],
  layers_per_block: 1,
};

let root: string;

beforeAll(async () => {
  await setUpWasm();
  root = await mkdtemp(path.join(tmpdir(), 'learning-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Mean RGB of each colour's training images after the VAE round trip: what the model could best reproduce. */
async function referenceColours(sd: StableDiffusionModel, examples: readonly TrainingExample[]): Promise<Map<string, number[]>> {
  const refs = new Map<string, number[]>();
  for (const name of Object.keys(COLOURS)) {
    const own = examples.filter((e) => e.caption.startsWith(`${name} `));
    const sum = [0, 0, 0];
    for (const e of own) {
      const pixels = await loadTrainingImage(e.image, { resolution: RES }, CENTER_DRAW);
      const decoded = tf.tidy(() => {
        const dist = sd.vae.encode(tf.tensor4d(pixels, [1, RES, RES, 3]));
        return tf.clipByValue(tf.add(tf.div(sd.vae.decode(dist.mean), 2), 0.5), 0, 1).dataSync();
      });
      meanColour(decoded, 1).forEach((v, i) => (sum[i] += v / own.length));
    }
    refs.set(name, sum);
  }
  return refs;
}

/** How many of the generated images (each colour x SEEDS) show the prompted colour. */
async function colourHits(sd: StableDiffusionModel, refs: ReadonlyMap<string, number[]>): Promise<{ hits: number; total: number; seen: string[] }> {
  let hits = 0;
  const seen: string[] = [];
  for (const name of Object.keys(COLOURS)) {
    for (const seed of SEEDS) {
      const prompt = catalogCaption(catalogLineSchema.parse(colourCatalogLine(name, 'dress', 'unused.png')));
      const r = await sd.txt2img({ prompt, numInferenceSteps: 20, guidanceScale: 7.5, height: RES, width: RES, seed, scheduler: 'DDIMScheduler' });
      const got = nearestColour(meanColour(r.images[0].data), refs);
      seen.push(`${name}->${got}`);
      if (got === name) hits += 1;
    }
  }
  return { hits, total: Object.keys(COLOURS).length * SEEDS.length, seen };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('fine-tuning learns the colours named in the captions', () => {
  it('draws the prompted colour more often than the untrained model, with a falling loss', { timeout: 600_000 }, async () => {
    const modelDir = path.join(root, 'model');
    await writeRandomModel(modelDir, { seed: 3, tokenizerDir: TOKENIZER_DIR, sizes: { vae: COLOUR_VAE_CONFIG, unet: SMALL_UNET } });
    await makeColourVae(modelDir);
    // The folder is a storefront catalog export: captions are title, type, tags and description.
    const manifest = await writeColourDataset(path.join(root, 'data'), RES, 6);
    const { examples, report } = await loadDataset({ data: path.dirname(manifest) });
    expect(report.format).toBe('catalog-export');
    const { model, files } = await loadBaseModel(modelDir);
    try {
      const refs = await referenceColours(model, examples);
      const before = await colourHits(model, refs);
      const config = parseTrainConfig({
        mode: 'full',
        steps: 360,
        batchSize: 8,
        lr: 3e-3,
        weightDecay: 0,
        resolution: RES,
        seed: 1,
        // Only the noisier 40% of timesteps: there the caption decides the colour (lower down, the noisy
        // latent already shows it), so a few minutes suffice to learn it.
        timestepBias: 'earlier',
        timestepBiasPortion: 0.6,
        timestepBiasMultiplier: 0,
        captionDropout: 0.1,
      });
      const trainer = new Trainer({ model, base: files, examples, config, outDir: path.join(root, 'out') });
      const summary = await trainer.run();
      trainer.dispose();
      const after = await colourHits(model, refs);
      const window = Math.floor(summary.losses.length / 5);
      const firstLoss = mean(summary.losses.slice(0, window));
      const lastLoss = mean(summary.losses.slice(-window));
      console.log(
        `learning: ${summary.steps} steps in ${summary.seconds.toFixed(0)} s (${summary.imagesPerSecond.toFixed(2)} images/s); ` +
          `loss ${firstLoss.toFixed(4)} -> ${lastLoss.toFixed(4)}; prompted colour ${before.hits}/${before.total} before, ` +
          `${after.hits}/${after.total} after\n  before: ${before.seen.join(' ')}\n  after:  ${after.seen.join(' ')}`,
      );
      expect(lastLoss).toBeLessThan(0.5 * firstLoss);
      // Clearly better than untrained, and at least twice chance (1 in 4 colours).
      expect(after.hits).toBeGreaterThanOrEqual(before.hits + 3);
      expect(after.hits).toBeGreaterThanOrEqual(after.total / 2);
    } finally {
      model.dispose();
    }
  });
});
