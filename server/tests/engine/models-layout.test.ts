// SD 2.x layout options and the memory-saving attention chunks give the same numbers as the SD 1.x
// reference: a Linear proj_in/proj_out is a 1x1 conv with its kernel squeezed, heads may be given per
// block, upcast_attention changes nothing in float32, and chunked attention equals one big softmax.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gelu } from '../../src/engine/models/layers/activations.js';
import { mapTokenChunks, multiHeadAttention } from '../../src/engine/models/layers/attention.js';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import type { WeightMap } from '../../src/engine/types.js';
import { casesOfType, compare, loadNHWC, loadTensor, loadWeights, readJson, type TensorRef } from './models-fixtures.js';

const MODEL = 'models/sd-tiny/unet';
let weights: WeightMap;

beforeAll(async () => {
  await tf.setBackend('wasm');
  weights = await loadWeights(`${MODEL}/diffusion_pytorch_model.safetensors`);
});

afterAll(() => disposeWeights(weights));

describe('UNet2DConditionModel, SD 2.x configuration options', () => {
  it('use_linear_projection with Linear proj weights, per-block heads and upcast_attention reproduce the reference', async () => {
    const c = casesOfType('unet').find((x) => x.id === 'unet_b1_t1_nonsquare');
    if (c === undefined) throw new Error('fixture case unet_b1_t1_nonsquare is missing');
    const json = readJson(`${MODEL}/config.json`) as Record<string, unknown>;
    const config = parseUNetConfig({ ...json, use_linear_projection: true, attention_head_dim: [4, 4, 4, 4], upcast_attention: true });
    const linear: WeightMap = new Map();
    const squeezed: tf.Tensor[] = [];
    for (const [name, t] of weights) {
      if (/attentions\.\d+\.proj_(in|out)\.weight$/.test(name)) {
        const [out, inp] = t.shape as [number, number, number, number];
        const w = tf.reshape(t, [out, inp]);
        squeezed.push(w);
        linear.set(name, w);
      } else linear.set(name, t);
    }
    const unet = new UNet2DConditionModel(config, linear);
    tf.dispose(squeezed);
    expect(unet.parameterSpecs.get('down_blocks.0.attentions.0.proj_in.weight')?.layout).toBe('linear');

    const sample = await loadNHWC(c.inputs.sample as TensorRef);
    const states = (await loadTensor(c.inputs.encoder_hidden_states as TensorRef)) as tf.Tensor3D;
    const timestep = tf.tensor1d([c.inputs.timestep as number]);
    const expected = await loadNHWC(c.expected.sample as TensorRef);
    const out = unet.forward(sample, timestep, states);
    const { maxAbsError, violations } = compare(out, expected, c.tolerance);
    console.log(`linear-projection UNet on ${c.id}: max abs error ${maxAbsError.toExponential(2)}`);
    expect(violations).toBe(0);
    tf.dispose([sample, states, timestep, expected, out]);
    unet.dispose();
  });

  it('lists module paths for LoRA mapping', () => {
    const unet = new UNet2DConditionModel(parseUNetConfig(readJson(`${MODEL}/config.json`)), weights);
    const paths = unet.modulePaths();
    expect(paths).toContain('down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0');
    expect(paths).toContain('mid_block.attentions.0.proj_in');
    expect(paths).toContain('up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj');
    expect(paths).not.toContain('conv_in.weight');
    unet.dispose();
  });
});

describe('chunked attention', () => {
  it('equals the unchunked computation, split by heads and by query rows, with a mask', () => {
    tf.tidy(() => {
      const [b, n, m, heads, d] = [2, 24, 10, 3, 4];
      const q = tf.randomNormal([b, n, heads * d], 0, 1, 'float32', 1) as tf.Tensor3D;
      const k = tf.randomNormal([b, m, heads * d], 0, 1, 'float32', 2) as tf.Tensor3D;
      const v = tf.randomNormal([b, m, heads * d], 0, 1, 'float32', 3) as tf.Tensor3D;
      const dropped = tf.cast(tf.greater(tf.randomUniform([n, m], 0, 1, 'float32', 4), 0.7), 'float32');
      const mask = tf.mul(dropped, -1e9) as tf.Tensor2D;
      const whole = multiHeadAttention(q, k, v, heads, mask);
      for (const budget of [n * m * 2, n * m, 7 * m, 1]) {
        const chunked = multiHeadAttention(q, k, v, heads, mask, budget);
        const err = tf.max(tf.abs(tf.sub(whole, chunked))).dataSync()[0];
        expect(err, `budget ${budget}`).toBeLessThan(1e-6);
      }
    });
  });

  it('per-token functions give the same result in token chunks', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 23, 5], 0, 1, 'float32', 5) as tf.Tensor3D;
      const w = tf.randomNormal([5, 5], 0, 1, 'float32', 6) as tf.Tensor2D;
      const fn = (t: tf.Tensor3D) => tf.reshape(tf.tanh(tf.matMul(tf.reshape(t, [-1, 5]), w)), t.shape) as tf.Tensor3D;
      const whole = fn(x);
      for (const budget of [1, 2 * 5 * 4, 2 * 5 * 23, 1 << 20]) {
        const chunked = mapTokenChunks(x, 5, fn, budget);
        expect(tf.max(tf.abs(tf.sub(whole, chunked))).dataSync()[0], `budget ${budget}`).toBe(0);
      }
    });
  });
});

describe('exact GELU (GEGLU feed-forward, CLIP "gelu") on the active backend', () => {
  /** erf by its Taylor series in double precision (converges well for |x| <= 4). */
  function erf(x: number): number {
    let sum = 0;
    let term = x;
    for (let n = 0; n < 200 && (n < 5 || Math.abs(term) > 1e-17); n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }

  it('is within float32 rounding of the double-precision reference on [-5, 5]', () => {
    const xs = Array.from({ length: 2001 }, (_, i) => -5 + i * 0.005);
    const ys = tf.tidy(() => gelu(tf.tensor1d(xs)).dataSync());
    const maxError = Math.max(...xs.map((x, i) => Math.abs(ys[i] - 0.5 * x * (1 + erf(x / Math.SQRT2)))));
    console.log(`gelu max abs error vs double precision: ${maxError.toExponential(2)}`);
    expect(maxError).toBeLessThan(1e-6);
  });
});
