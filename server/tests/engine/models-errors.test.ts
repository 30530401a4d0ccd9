// Bad weights and bad configs get errors that name the key; forward passes leak no tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTokenIds, CLIPTextModel } from '../../src/engine/models/clip/clip-text-model.js';
import { parseCLIPTextConfig } from '../../src/engine/models/clip/clip-text-config.js';
import { ModelConfigError } from '../../src/engine/models/layers/config-parsing.js';
import { ModelWeightsError } from '../../src/engine/models/layers/parameters.js';
import { loadModelsFromWeights } from '../../src/engine/models/load-models.js';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { AutoencoderKL } from '../../src/engine/models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from '../../src/engine/models/vae/vae-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import type { WeightMap } from '../../src/engine/types.js';
import { loadWeights, readJson } from './models-fixtures.js';

const unetConfigJson = readJson('models/sd-tiny/unet/config.json') as Record<string, unknown>;
const vaeConfigJson = readJson('models/sd-tiny/vae/config.json') as Record<string, unknown>;
const clipConfigJson = readJson('models/sd-tiny/text_encoder/config.json') as Record<string, unknown>;
let unetWeights: WeightMap;
let vaeWeights: WeightMap;
let clipWeights: WeightMap;

beforeAll(async () => {
  await tf.setBackend('wasm');
  unetWeights = await loadWeights('models/sd-tiny/unet/diffusion_pytorch_model.safetensors');
  vaeWeights = await loadWeights('models/sd-tiny/vae/diffusion_pytorch_model.safetensors');
  clipWeights = await loadWeights('models/sd-tiny/text_encoder/model.safetensors');
});

afterAll(() => {
  for (const w of [unetWeights, vaeWeights, clipWeights]) disposeWeights(w);
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('weights that do not fit the config', () => {
  it('names a missing key and an unexpected key, and creates no variables', () => {
    const before = tf.memory().numTensors;
    const weights: WeightMap = new Map(unetWeights);
    weights.delete('mid_block.attentions.0.proj_in.weight');
    weights.set('mid_block.attentions.0.proj_inn.weight', unetWeights.get('mid_block.attentions.0.proj_in.weight') as tf.Tensor);
    const err = catchError(() => new UNet2DConditionModel(parseUNetConfig(unetConfigJson), weights));
    expect(err).toBeInstanceOf(ModelWeightsError);
    expect(err.message).toContain('missing 1 key(s): mid_block.attentions.0.proj_in.weight');
    expect(err.message).toContain('unexpected 1 key(s): mid_block.attentions.0.proj_inn.weight');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a wrong shape with both shapes (a 4-channel config given the 9-channel inpainting weights)', async () => {
    const inpaint = await loadWeights('models/sd-tiny-inpaint/unet/diffusion_pytorch_model.safetensors');
    const err = catchError(() => new UNet2DConditionModel(parseUNetConfig(unetConfigJson), inpaint));
    disposeWeights(inpaint);
    expect(err).toBeInstanceOf(ModelWeightsError);
    expect(err.message).toContain('conv_in.weight expected [16, 4, 3, 3] got [16, 9, 3, 3]');
  });

  it('reports a VAE and a text encoder weight problem by the reference name', () => {
    const vae = new Map(vaeWeights);
    vae.delete('decoder.mid_block.attentions.0.to_q.bias');
    expect(() => new AutoencoderKL(parseAutoencoderKLConfig(vaeConfigJson), vae)).toThrow(
      /AutoencoderKL weights do not match its config: missing 1 key\(s\): decoder\.mid_block\.attentions\.0\.to_q\.bias/,
    );
    const smaller = parseCLIPTextConfig({ ...clipConfigJson, num_hidden_layers: 2 });
    expect(() => new CLIPTextModel(smaller, clipWeights)).toThrow(/unexpected 16 key\(s\): text_model\.encoder\.layers\.2\./);
  });

  it("ignores CLIP's position_ids buffer, which real checkpoints carry", () => {
    const withBuffer: WeightMap = new Map(clipWeights);
    const ids = tf.tensor2d([Array.from({ length: 77 }, (_, i) => i)], [1, 77], 'int32');
    withBuffer.set('text_model.embeddings.position_ids', ids);
    const model = new CLIPTextModel(parseCLIPTextConfig(clipConfigJson), withBuffer);
    expect(model.parameters.has('text_model.embeddings.position_ids')).toBe(false);
    model.dispose();
    ids.dispose();
  });
});

describe('loadModelsFromWeights', () => {
  it('builds the models given, and disposes the ones built when a later one fails', () => {
    const before = tf.memory().numTensors;
    const models = loadModelsFromWeights(
      { textEncoder: { config: clipConfigJson, weights: clipWeights }, vae: { config: vaeConfigJson, weights: vaeWeights } },
      { trainable: ['vae'] },
    );
    expect(models.unet).toBeUndefined();
    expect(models.textEncoder?.parameters.get('text_model.final_layer_norm.weight')?.trainable).toBe(false);
    expect(models.vae?.parameters.get('decoder.conv_out.weight')?.trainable).toBe(true);
    models.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const broken = { config: { ...unetConfigJson, in_channels: 9 }, weights: unetWeights };
    expect(() => loadModelsFromWeights({ textEncoder: { config: clipConfigJson, weights: clipWeights }, unet: broken })).toThrow(
      /conv_in\.weight expected \[16, 9, 3, 3\] got \[16, 4, 3, 3\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bad inputs', () => {
  it('get errors that name the value', async () => {
    const clip = new CLIPTextModel(parseCLIPTextConfig(clipConfigJson), clipWeights);
    const unet = new UNet2DConditionModel(parseUNetConfig(unetConfigJson), unetWeights);
    const before = tf.memory().numTensors;
    const ids = tf.tensor2d([[49406, 49408, 49407]], [1, 3], 'int32');
    await expect(clip.checkInputIds(ids)).rejects.toThrow('token id 49408 at position 1 is outside the vocabulary (0..49407)');
    expect(() => checkTokenIds([49406, 3, 49408], 49408)).toThrow('token id 49408 at position 2 is outside the vocabulary (0..49407)');
    const start = tf.tensor2d([[49406]], [1, 1], 'int32');
    expect(() => clip.forward(start, { clipSkip: 3 })).toThrow('clipSkip must be an integer in 0..2, got 3');
    const nine = tf.zeros([1, 8, 8, 9]) as tf.Tensor4D;
    const t = tf.tensor1d([1]);
    const states = tf.zeros([1, 77, 32]) as tf.Tensor3D;
    expect(() => unet.forward(nine, t, states)).toThrow('sample must be NHWC [B, h, w, 4], got [1, 8, 8, 9]');
    tf.dispose([ids, start, nine, t, states]);
    expect(tf.memory().numTensors).toBe(before);
    clip.dispose();
    unet.dispose();
  });
});

describe('releaseWeights', () => {
  it('disposes each source tensor once converted and leaves the map empty', () => {
    const before = tf.memory().numTensors;
    const copy: WeightMap = new Map([...vaeWeights].map(([name, t]) => [name, t.clone()]));
    const vae = new AutoencoderKL(parseAutoencoderKLConfig(vaeConfigJson), copy, { releaseWeights: true });
    expect(copy.size).toBe(0);
    expect(tf.memory().numTensors - before).toBe(vae.parameters.size);
    vae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('configs', () => {
  it('name the bad key and value', () => {
    const err = catchError(() => parseUNetConfig({ ...unetConfigJson, class_embed_type: 'timestep' }));
    expect(err).toBeInstanceOf(ModelConfigError);
    expect(err.message).toMatch(/class_embed_type: .*not supported.*\(got "timestep"\)/);
    expect(() => parseUNetConfig({ ...unetConfigJson, block_out_channels: [16, 32, 32] })).toThrow(
      /block_out_channels has 3 entries, down_block_types 4/,
    );
    expect(() => parseAutoencoderKLConfig({ ...vaeConfigJson, latent_channels: 'four' })).toThrow(/latent_channels: .*\(got "four"\)/);
    expect(() => parseCLIPTextConfig({ ...clipConfigJson, hidden_act: 'relu' })).toThrow(/hidden_act: .*\(got "relu"\)/);
  });

  it('are frozen and read SD 2.x style fields', () => {
    const config = parseUNetConfig({ ...unetConfigJson, attention_head_dim: [2, 4, 4, 8], use_linear_projection: true });
    expect(config.numAttentionHeads).toEqual([2, 4, 4, 8]);
    expect(config.useLinearProjection).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.blockOutChannels)).toBe(true);
  });
});

describe('no tensor leaks', () => {
  it('CLIPTextModel, UNet2DConditionModel and AutoencoderKL: forward passes and dispose() leave the count flat', () => {
    const before = tf.memory().numTensors;
    const clip = new CLIPTextModel(parseCLIPTextConfig(clipConfigJson), clipWeights);
    const unet = new UNet2DConditionModel(parseUNetConfig(unetConfigJson), unetWeights);
    const vae = new AutoencoderKL(parseAutoencoderKLConfig(vaeConfigJson), vaeWeights);
    const withModels = tf.memory().numTensors;
    expect(withModels - before).toBe(clip.parameters.size + unet.parameters.size + vae.parameters.size);

    const ids = tf.tensor2d([[49406, 320, 1125, 49407, ...Array<number>(73).fill(49407)]], [1, 77], 'int32');
    const latents = tf.randomNormal([2, 8, 12, 4]) as tf.Tensor4D;
    const t = tf.tensor1d([10, 900]);
    const image = tf.randomUniform([1, 64, 48, 3], -1, 1) as tf.Tensor4D;
    const inputs = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const text = clip.forward(ids, { clipSkip: round % 2 });
      const states = tf.concat([text.lastHiddenState, text.lastHiddenState]) as tf.Tensor3D;
      const eps = unet.forward(latents, t, states);
      const dist = vae.encode(image);
      const decoded = vae.decode(eps);
      tf.dispose([text, states, eps, dist, decoded]);
      expect(tf.memory().numTensors).toBe(inputs);
    }
    tf.dispose([ids, latents, t, image]);
    for (const model of [clip, unet, vae]) model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
