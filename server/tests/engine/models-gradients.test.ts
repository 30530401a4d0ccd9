// The UNet is differentiable on wasm: the gradients of the train_step case's first loss, w.r.t. the five
// parameters the fixture records, match PyTorch's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingSupport } from '../../src/engine/kernels/index.js';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import { casesOfType, compare, loadNHWC, loadTensor, loadWeights, readJson, type TensorRef } from './models-fixtures.js';

const MODEL = 'models/sd-tiny/unet';
let unet: UNet2DConditionModel;

beforeAll(async () => {
  await tf.setBackend('wasm');
  await registerTrainingSupport();
  const weights = await loadWeights(`${MODEL}/diffusion_pytorch_model.safetensors`);
  unet = new UNet2DConditionModel(parseUNetConfig(readJson(`${MODEL}/config.json`)), weights, { trainable: true });
  disposeWeights(weights);
});

afterAll(() => unet.dispose());

/** PyTorch layout -> the model's compute layout, for comparing a gradient. */
function toCompute(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [2, 3, 1, 0]);
  if (t.rank === 2) return tf.transpose(t);
  return t.clone();
}

describe('UNet2DConditionModel gradients (wasm)', () => {
  const c = casesOfType('train_step')[0];
  const step = (c.inputs.steps as Record<string, TensorRef>[])[0];
  const expected = (c.expected.steps as Record<string, unknown>[])[0];
  const tol = (c.tolerance as unknown as { tensors: { atol: number; rtol: number } }).tensors;

  it('matches the recorded MSE-loss gradients of train_step step 0', async () => {
    const noisy = await loadNHWC(expected.noisy_latents as TensorRef);
    const noise = await loadNHWC(step.noise);
    const states = (await loadTensor(expected.encoder_hidden_states as TensorRef)) as tf.Tensor3D;
    const timesteps = await loadTensor(step.timesteps);
    const t = tf.cast(timesteps, 'float32') as tf.Tensor1D;
    const names = Object.keys(expected.grads_before_clip as Record<string, TensorRef>);
    const before = tf.memory().numTensors;

    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.squaredDifference(unet.forward(noisy, t, states), noise)) as tf.Scalar,
      names.map((n) => unet.parameters.get(n) as tf.Variable),
    );
    const loss = (await value.data())[0];
    console.log(`train_step s0 loss ${loss} (expected ${String(expected.loss)})`);
    expect(Math.abs(loss - (expected.loss as number))).toBeLessThan(1e-5 + 1e-4 * (expected.loss as number));
    for (const name of names) {
      const stored = await loadTensor((expected.grads_before_clip as Record<string, TensorRef>)[name]);
      const want = toCompute(stored);
      stored.dispose();
      // variableGrads keys its result by tfjs variable name; the model keys variables by reference name.
      const { maxAbsError, violations } = compare(grads[(unet.parameters.get(name) as tf.Variable).name], want, tol);
      console.log(`grad ${name}: max abs error ${maxAbsError.toExponential(2)}`);
      expect(violations, name).toBe(0);
      want.dispose();
    }
    tf.dispose([value, grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([noisy, noise, states, timesteps, t]);
  });
});
