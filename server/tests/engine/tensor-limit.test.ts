// Under a small tensor limit (tensor-limit.ts) every chunked path gives what the whole tensors give: weights
// held in pieces (CLIP's token embedding, linear and conv weights), row bands (convolutions of any stride and
// padding, GroupNorm, the VAE and TAESD). On wasm, which has no limit of its own, so both paths run in one
// process; conformance-webgpu.test.ts runs the fixture sets under a limit on webgpu, where it is enforced.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { parseCLIPTextConfig } from '../../src/engine/models/clip/clip-text-config.js';
import { CLIPTextModel } from '../../src/engine/models/clip/clip-text-model.js';
import { Conv2d } from '../../src/engine/models/layers/conv2d.js';
import { GroupNorm } from '../../src/engine/models/layers/norm.js';
import { ParameterRegistry } from '../../src/engine/models/layers/parameters.js';
import { joinRows, type RowBands } from '../../src/engine/models/layers/row-bands.js';
import { Downsample2D, Upsample2D } from '../../src/engine/models/layers/sampling.js';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { AutoencoderKL } from '../../src/engine/models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from '../../src/engine/models/vae/vae-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import { setMaxTensorBytes } from '../../src/engine/tensor-limit.js';
import { loadWeights, readJson } from './models-fixtures.js';

beforeAll(() => initBackend('wasm', { strict: true, logger: { info: () => {}, warn: () => {} } }));
afterEach(() => setMaxTensorBytes(undefined));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A model built twice from one weight file: without a limit, and under `limitBytes`. */
async function both<M extends { dispose(): void }>(file: string, limitBytes: number, build: (weights: Map<string, tf.Tensor>) => M): Promise<[M, M]> {
  const weights = await loadWeights(file);
  try {
    const whole = build(weights);
    setMaxTensorBytes(limitBytes);
    return [whole, build(weights)];
  } finally {
    disposeWeights(weights);
  }
}

describe('weights over the tensor limit', () => {
  it("CLIP's token embedding in row pieces gives the same hidden states, exactly", async () => {
    const config = parseCLIPTextConfig(readJson('models/sd-tiny/text_encoder/config.json'));
    const [whole, pieces] = await both('models/sd-tiny/text_encoder/model.safetensors', 64 * 1024, (w) => new CLIPTextModel(config, w));
    const name = 'text_model.embeddings.token_embedding.weight';
    expect(whole.parameters.has(name)).toBe(true);
    expect(pieces.parameters.has(name)).toBe(false);
    const ids = tf.tensor2d([[49406, 320, 1125, 539, 49407, 49407], [49406, 0, 25000, 49405, 49407, 49407]], [2, 6], 'int32');
    const a = whole.forward(ids);
    const b = pieces.forward(ids);
    expect(maxAbsDiff(a.lastHiddenState, b.lastHiddenState)).toBe(0);
    tf.dispose([ids, a.lastHiddenState, a.pooledOutput, b.lastHiddenState, b.pooledOutput]);
    whole.dispose();
    pieces.dispose();
  });

  it('a UNet with conv and linear weights in pieces (and chunked attention) predicts what the whole one does', async () => {
    const config = parseUNetConfig(readJson('models/sd-tiny/unet/config.json'));
    const [whole, pieces] = await both('models/sd-tiny/unet/diffusion_pytorch_model.safetensors', 16 * 1024, (w) => new UNet2DConditionModel(config, w));
    // The 32-channel 3x3 convs (36 KiB) and the feed-forward projections (32 KiB) are over 16 KiB.
    expect(pieces.parameters.has('up_blocks.1.resnets.0.conv1.weight')).toBe(false);
    expect(pieces.parameters.has('down_blocks.1.attentions.0.transformer_blocks.0.ff.net.0.proj.weight')).toBe(false);
    const sample = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const states = tf.randomNormal([2, 77, 32], 0, 1, 'float32', 2) as tf.Tensor3D;
    const t = tf.tensor1d([500, 20]);
    const a = whole.forward(sample, t, states);
    const b = pieces.forward(sample, t, states);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    tf.dispose([sample, states, t, a, b]);
    whole.dispose();
    pieces.dispose();
  });
});

describe('activations over the tensor limit, in row bands', () => {
  /** Layers bound to seeded random weights. */
  function bound<T>(build: (registry: ParameterRegistry) => T): { layer: T; registry: ParameterRegistry } {
    const registry = new ParameterRegistry('test');
    const layer = build(registry);
    const weights = new Map<string, tf.Tensor>();
    let seed = 10;
    for (const [name, spec] of registry.parameterSpecs) weights.set(name, tf.randomNormal([...spec.torchShape], 0, 0.3, 'float32', seed++));
    registry.bind(weights);
    disposeWeights(weights);
    return { layer, registry };
  }

  it('convolutions (3x3 stride 1, 1x1, the VAE downsampler stride 2 padded bottom-right, the upsampler) match their whole form', () => {
    const x = tf.randomNormal([2, 19, 13, 6], 0, 1, 'float32', 3) as tf.Tensor4D;
    const cases = [
      bound((r) => new Conv2d(r.root().child('a'), 6, 8, 3)),
      bound((r) => new Conv2d(r.root().child('b'), 6, 4, 1, { padding: 0 })),
      bound((r) => new Downsample2D(r.root().child('d'), 6, 0)),
      // Whole: four 2x2 convolutions of the small map; bands: the upsampled rows through the 3x3 one.
      bound((r) => new Upsample2D(r.root().child('u'), 6)),
    ];
    for (const { layer, registry } of cases) {
      const whole = layer.apply(x);
      // A few rows per band, and bands of the input cut at other rows than the output's.
      setMaxTensorBytes(4 * 2 * 4 * 16 * 8);
      const input: RowBands = [tf.slice(x, [0, 0, 0, 0], [2, 7, 13, 6]), tf.slice(x, [0, 7, 0, 0], [2, 12, 13, 6])];
      const bands = layer.applyBands(input);
      setMaxTensorBytes(undefined);
      expect(bands.length).toBeGreaterThan(2);
      const joined = joinRows(bands);
      expect(joined.shape).toEqual(whole.shape);
      expect(maxAbsDiff(whole, joined)).toBeLessThan(1e-5);
      tf.dispose([whole, joined, ...bands, ...input]);
      registry.dispose();
    }
    x.dispose();
  });

  it('GroupNorm takes its statistics over every band', () => {
    const { layer: norm, registry } = bound((r) => new GroupNorm(r.root().child('n'), 2, 6, 1e-6));
    const x = tf.tidy(() => tf.add(tf.randomNormal([2, 10, 5, 6], 0, 1, 'float32', 4), tf.reshape(tf.linspace(0, 9, 10), [1, 10, 1, 1]))) as tf.Tensor4D;
    const whole = norm.apply(x);
    const bands = norm.applyBands([tf.slice(x, [0, 0, 0, 0], [2, 3, 5, 6]), tf.slice(x, [0, 3, 0, 0], [2, 7, 5, 6])]);
    const joined = joinRows(bands);
    expect(maxAbsDiff(whole, joined)).toBeLessThan(1e-5);
    tf.dispose([x, whole, joined, ...bands]);
    registry.dispose();
  });

  it('the VAE decodes and encodes the same under a limit its activations are far over', async () => {
    const config = parseAutoencoderKLConfig(readJson('models/sd-tiny/vae/config.json'));
    const weights = await loadWeights('models/sd-tiny/vae/diffusion_pytorch_model.safetensors');
    const vae = new AutoencoderKL(config, weights);
    disposeWeights(weights);
    const z = tf.randomNormal([1, 8, 12, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const image = tf.randomUniform([1, 64, 96, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
    const wholeImage = vae.decode(z);
    const wholeMoments = vae.encode(image);
    // 16-channel 64x96 activations are 393 KiB; 24 KiB takes several bands at every full-resolution step.
    setMaxTensorBytes(24 * 1024);
    const bandedConvs = vi.spyOn(Conv2d.prototype, 'applyBands');
    const before = tf.memory().numTensors;
    const bandedImage = vae.decode(z);
    const bandedMoments = vae.encode(image);
    expect(tf.memory().numTensors).toBe(before + 4);
    expect(bandedConvs.mock.calls.length).toBeGreaterThan(10);
    bandedConvs.mockRestore();
    expect(maxAbsDiff(wholeImage, bandedImage)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wholeMoments.mean, bandedMoments.mean)).toBeLessThan(1e-4);
    tf.dispose([z, image, wholeImage, bandedImage, ...Object.values(wholeMoments), ...Object.values(bandedMoments)]);
    vae.dispose();
  });
});
