import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { CLIPTextModel } from '../../src/engine/models/clip/clip-text-model.js';
import { parseCLIPTextConfig } from '../../src/engine/models/clip/clip-text-config.js';
import { disposeWeights } from '../../src/engine/safetensors/reader.js';
import { casesOfType, compare, loadTensor, loadWeights, readJson, type TensorRef } from './models-fixtures.js';

const MODEL = 'models/sd-tiny/text_encoder';
let model: CLIPTextModel;

beforeAll(async () => {
  await tf.setBackend('wasm');
  const weights = await loadWeights(`${MODEL}/model.safetensors`);
  model = new CLIPTextModel(parseCLIPTextConfig(readJson(`${MODEL}/config.json`)), weights);
  disposeWeights(weights);
});

afterAll(() => model.dispose());

describe('CLIPTextModel on the sd-tiny text_encoder cases (wasm)', () => {
  for (const c of casesOfType('text_encoder')) {
    it(`${c.id}: last_hidden_state, clip_skip_1 and pooler_output within tolerance`, async () => {
      const ids = (await loadTensor(c.inputs.input_ids as TensorRef)) as tf.Tensor2D;
      const full = model.forward(ids);
      const skipped = model.forward(ids, { clipSkip: 1 });
      const checks: [string, tf.Tensor][] = [
        ['last_hidden_state', full.lastHiddenState],
        ['pooler_output', full.pooledOutput],
        ['clip_skip_1', skipped.lastHiddenState],
      ];
      for (const [key, actual] of checks) {
        const expected = await loadTensor(c.expected[key] as TensorRef);
        const { maxAbsError, violations } = compare(actual, expected, c.tolerance);
        console.log(`${c.id} ${key}: max abs error ${maxAbsError.toExponential(2)}`);
        expect(violations, key).toBe(0);
        expected.dispose();
      }
      tf.dispose([ids, full, skipped]);
    });
  }
});
