import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import { casesOfType, compare, loadNHWC, loadTensor, loadWeights, readJson, type TensorRef } from './models-fixtures.js';

const unets = new Map<string, UNet2DConditionModel>();

async function unetFor(model: string): Promise<UNet2DConditionModel> {
  let unet = unets.get(model);
  if (unet === undefined) {
    const weights = await loadWeights(`${model}/diffusion_pytorch_model.safetensors`);
    unet = new UNet2DConditionModel(parseUNetConfig(readJson(`${model}/config.json`)), weights);
    disposeWeights(weights);
    unets.set(model, unet);
  }
  return unet;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});

afterAll(() => {
  for (const unet of unets.values()) unet.dispose();
});

describe('UNet2DConditionModel on the sd-tiny unet cases (wasm)', () => {
  for (const c of casesOfType('unet')) {
    it(`${c.id}: predicted noise within tolerance`, async () => {
      const unet = await unetFor(c.inputs.model as string);
      const sample = await loadNHWC(c.inputs.sample as TensorRef);
      const states = (await loadTensor(c.inputs.encoder_hidden_states as TensorRef)) as tf.Tensor3D;
      const t = c.inputs.timestep as number | number[];
      const timestep = tf.tensor1d(typeof t === 'number' ? [t] : t, 'float32');
      const expected = await loadNHWC(c.expected.sample as TensorRef);
      const out = unet.forward(sample, timestep, states);
      const { maxAbsError, violations } = compare(out, expected, c.tolerance);
      console.log(`${c.id}: max abs error ${maxAbsError.toExponential(2)}`);
      expect(violations).toBe(0);
      tf.dispose([sample, states, timestep, expected, out]);
    });
  }
});
