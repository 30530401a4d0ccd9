// Writes a complete, tiny diffusers folder with random weights: the server's "embedded default" model when
// no weights are configured, and a fixture for tests. Architectures come from config JSON (default: the
// shape of the shared sd-tiny set); tokenizer files are copied from a folder the caller names.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseCLIPTextConfig } from './models/clip/clip-text-config.js';
import { CLIPTextModel } from './models/clip/clip-text-model.js';
import { ModelWeightsError, type ParameterSpec } from './models/layers/parameters.js';
import { UNet2DConditionModel } from './models/unet/unet-2d-condition.js';
import { parseUNetConfig } from './models/unet/unet-config.js';
import { AutoencoderKL } from './models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from './models/vae/vae-config.js';
import { NormalStream } from './random.js';
import { writeSafetensors } from './safetensors/writer.js';
import { BUNDLED_SD15_CONFIG_DIR } from './stable-diffusion.js';
import type { WeightMap } from './types.js';

type Json = Record<string, unknown>;

/** Config keys per component, over the tiny defaults below. */
export interface RandomModelSizes {
  unet?: Json;
  vae?: Json;
  textEncoder?: Json;
}

export interface WriteRandomModelOptions {
  seed: number;
  /** A folder with vocab.json and merges.txt (and optionally tokenizer_config.json, special_tokens_map.json). */
  tokenizerDir: string;
  sizes?: RandomModelSizes;
}

const TINY_UNET: Json = {
  _class_name: 'UNet2DConditionModel',
  attention_head_dim: 4,
  block_out_channels: [16, 32, 32, 32],
  cross_attention_dim: 32,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  in_channels: 4,
  out_channels: 4,
  layers_per_block: 2,
  norm_num_groups: 8,
  sample_size: 8,
};

const TINY_VAE: Json = {
  _class_name: 'AutoencoderKL',
  block_out_channels: [16, 16, 32, 32],
  down_block_types: Array(4).fill('DownEncoderBlock2D'),
  up_block_types: Array(4).fill('UpDecoderBlock2D'),
  layers_per_block: 1,
  latent_channels: 4,
  norm_num_groups: 8,
  sample_size: 64,
  scaling_factor: 0.18215,
};

const TINY_TEXT_ENCODER: Json = {
  architectures: ['CLIPTextModel'],
  hidden_size: 32,
  intermediate_size: 128,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  max_position_embeddings: 77,
  vocab_size: 49408,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
  eos_token_id: 2,
};

/**
 * The parameters a model declares for a config, without weights: the model is built against a map that
 * answers every name with a wrong shape, and its ModelWeightsError lists each declared name and shape.
 * Porting note: the models expose parameterSpecs only once bound; this asks them without binding.
 */
export function declaredParameters(build: (weights: WeightMap) => unknown): ParameterSpec[] {
  const probe = new (class extends Map<string, tf.Tensor> {
    override get(): tf.Tensor {
      return { shape: [-1] } as unknown as tf.Tensor;
    }
  })();
  try {
    build(probe);
  } catch (err) {
    if (err instanceof ModelWeightsError) {
      return err.wrongShape.map((w) => ({ name: w.name, torchShape: w.expected, layout: w.expected.length === 4 ? 'conv' : 'plain' }));
    }
    throw err;
  }
  throw new Error('declaredParameters: the model accepted placeholder weights');
}

/** Initial scale by parameter kind, so activations stay O(1) through many random layers. */
function initialValues(spec: ParameterSpec, stream: NormalStream): Float32Array {
  const size = spec.torchShape.reduce((a, b) => a * b, 1);
  const values = stream.next(size);
  const rank = spec.torchShape.length;
  let scale: number;
  let offset = 0;
  if (spec.name.endsWith('.bias')) scale = 0.05;
  else if (spec.name.endsWith('token_embedding.weight')) scale = 0.5;
  else if (spec.name.endsWith('position_embedding.weight')) scale = 0.2;
  else if (rank === 1) {
    // Norm scales: around 1.
    scale = 0.1;
    offset = 1;
  } else scale = 1 / Math.sqrt(spec.torchShape.slice(1).reduce((a, b) => a * b, 1));
  for (let i = 0; i < size; i++) values[i] = offset + scale * values[i];
  return values;
}

function randomWeights(specs: readonly ParameterSpec[], seed: number): WeightMap {
  const stream = new NormalStream(seed);
  return new Map(specs.map((s) => [s.name, tf.tensor(initialValues(s, stream), [...s.torchShape], 'float32')]));
}

async function writeComponent(dir: string, file: string, config: Json, weights: WeightMap): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  try {
    await writeSafetensors(path.join(dir, file), weights, { format: 'pt' });
  } finally {
    tf.dispose([...weights.values()]);
  }
}

async function copyTokenizer(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of ['vocab.json', 'merges.txt']) await copyFile(path.join(from, name), path.join(to, name));
  for (const name of ['tokenizer_config.json', 'special_tokens_map.json']) {
    await copyFile(path.join(from, name), path.join(to, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

/** Writes model_index.json, scheduler/, tokenizer/, text_encoder/, unet/ and vae/ under `dir`. */
export async function writeRandomModel(dir: string, opts: WriteRandomModelOptions): Promise<void> {
  const unetConfig = { ...TINY_UNET, ...opts.sizes?.unet };
  const vaeConfig = { ...TINY_VAE, ...opts.sizes?.vae };
  const textConfig = { ...TINY_TEXT_ENCODER, ...opts.sizes?.textEncoder };
  // Parse first: a bad size is reported before anything is written.
  const unetParsed = parseUNetConfig(unetConfig);
  const vaeParsed = parseAutoencoderKLConfig(vaeConfig);
  const textParsed = parseCLIPTextConfig(textConfig);

  await mkdir(dir, { recursive: true });
  await copyFile(path.join(BUNDLED_SD15_CONFIG_DIR, 'model_index.json'), path.join(dir, 'model_index.json'));
  await mkdir(path.join(dir, 'scheduler'), { recursive: true });
  await writeFile(
    path.join(dir, 'scheduler', 'scheduler_config.json'),
    await readFile(path.join(BUNDLED_SD15_CONFIG_DIR, 'scheduler', 'scheduler_config.json')),
  );
  await copyTokenizer(opts.tokenizerDir, path.join(dir, 'tokenizer'));

  const textSpecs = declaredParameters((w) => new CLIPTextModel(textParsed, w));
  await writeComponent(path.join(dir, 'text_encoder'), 'model.safetensors', textConfig, randomWeights(textSpecs, opts.seed));
  const unetSpecs = declaredParameters((w) => new UNet2DConditionModel(unetParsed, w));
  await writeComponent(path.join(dir, 'unet'), 'diffusion_pytorch_model.safetensors', unetConfig, randomWeights(unetSpecs, opts.seed + 1));
  const vaeSpecs = declaredParameters((w) => new AutoencoderKL(vaeParsed, w));
  const vaeWeights = randomWeights(vaeSpecs, opts.seed + 2);
  // A smaller decoder output keeps the random image inside [-1, 1] instead of saturating.
  for (const name of ['decoder.conv_out.weight', 'decoder.conv_out.bias']) {
    const t = vaeWeights.get(name);
    if (t) {
      vaeWeights.set(name, tf.mul(t, 0.5));
      t.dispose();
    }
  }
  await writeComponent(path.join(dir, 'vae'), 'diffusion_pytorch_model.safetensors', vaeConfig, vaeWeights);
}
