import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoencoderKL } from '../../src/engine/models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from '../../src/engine/models/vae/vae-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import { casesOfType, compare, loadNHWC, loadWeights, readJson, type TensorRef } from './models-fixtures.js';

const MODEL = 'models/sd-tiny/vae';
let vae: AutoencoderKL;

beforeAll(async () => {
  await tf.setBackend('wasm');
  const weights = await loadWeights(`${MODEL}/diffusion_pytorch_model.safetensors`);
  vae = new AutoencoderKL(parseAutoencoderKLConfig(readJson(`${MODEL}/config.json`)), weights);
  disposeWeights(weights);
});

afterAll(() => vae.dispose());

async function expectClose(id: string, key: string, actual: tf.Tensor, ref: unknown, tol: { atol: number; rtol: number }) {
  const expected = await loadNHWC(ref as TensorRef);
  const { maxAbsError, violations } = compare(actual, expected, tol);
  console.log(`${id} ${key}: max abs error ${maxAbsError.toExponential(2)}`);
  expect(violations, key).toBe(0);
  expected.dispose();
}

describe('AutoencoderKL on the sd-tiny vae cases (wasm)', () => {
  it('reads scaling_factor from the config', () => {
    expect(vae.config.scalingFactor).toBe(0.18215);
    expect(vae.downscaleFactor).toBe(8);
  });

  for (const c of casesOfType('vae_encode')) {
    it(`${c.id}: mean, logvar and std within tolerance`, async () => {
      const image = await loadNHWC(c.inputs.image as TensorRef);
      const dist = vae.encode(image);
      await expectClose(c.id, 'mean', dist.mean, c.expected.mean, c.tolerance);
      await expectClose(c.id, 'logvar', dist.logvar, c.expected.logvar, c.tolerance);
      await expectClose(c.id, 'std', dist.std, c.expected.std, c.tolerance);
      tf.dispose([image, dist]);
    });
  }

  for (const c of casesOfType('vae_decode')) {
    it(`${c.id}: decoded image within tolerance`, async () => {
      const latents = await loadNHWC(c.inputs.latents as TensorRef);
      const image = vae.decode(latents);
      await expectClose(c.id, 'image', image, c.expected.image, c.tolerance);
      tf.dispose([latents, image]);
    });
  }
});
