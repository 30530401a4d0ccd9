// The engine on webgpu against diffusers' reference outputs. CI's adapter is Mesa's lavapipe (a software
// Vulkan driver; scripts/install-system-deps.sh installs it), so this checks the engine's WebGPU path, not a
// GPU's speed. Both fixture sets pass at the device's own limits, and again under a 160 KiB limit on one
// tensor, where the CLIP token embedding is held in pieces, attention is chunked and the VAE and TAESD work
// in row bands; the device refuses any tensor over it. The runner settles the device after every case, so an
// uncaptured WebGPU error fails its case.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { parsePythonJson } from '../../src/engine/conformance/lenient-json.js';
import { formatResult, runConformance } from '../../src/engine/conformance/runner.js';
import { loadStableDiffusion } from '../../src/engine/stable-diffusion.js';
import { SD_TINY, SD_TINY_FIXTURES } from './pipelines-helpers.js';

const SETS = [SD_TINY_FIXTURES, path.join(SD_TINY_FIXTURES, '../sd-tiny-ext')];
/** Over every full-resolution activation of the tiny VAEs and the largest attention blocks; at least every input image. */
const SMALL_LIMIT = 160 * 1024;
/** lavapipe runs sd-tiny in about two minutes on two cores. */
const SET_TIMEOUT_MS = 600_000;
const quiet = { strict: true, logger: { info: () => {}, warn: () => {} } };

async function expectEveryCasePasses(dir: string): Promise<void> {
  const manifest = parsePythonJson(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { cases: unknown[] };
  const before = tf.memory().numTensors;
  const summary = await runConformance(dir);
  expect(tf.memory().numTensors).toBe(before);
  expect(summary.results.filter((r) => r.status !== 'pass').map(formatResult)).toEqual([]);
  expect(summary.results).toHaveLength(manifest.cases.length);
}

describe('conformance on webgpu at the device limits', () => {
  for (const dir of SETS) {
    it(`passes every ${path.basename(dir)} case without leaking a tensor`, async () => {
      await initBackend('webgpu', quiet);
      await expectEveryCasePasses(dir);
    }, SET_TIMEOUT_MS);
  }

  it('keeps the tensor count flat over repeated generations', async () => {
    await initBackend('webgpu', quiet);
    const sd = await loadStableDiffusion(SD_TINY);
    const generate = async () => {
      const result = await sd.txt2img({ prompt: 'a red shirt', height: 64, width: 64, numInferenceSteps: 3, guidanceScale: 5, seed: 7 });
      return result.pixels;
    };
    const first = await generate();
    const counts: number[] = [];
    let last = first;
    for (let i = 0; i < 3; i++) {
      last = await generate();
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    expect(Array.from(last)).toEqual(Array.from(first));
    sd.dispose();
  }, SET_TIMEOUT_MS);
});

describe(`conformance on webgpu under a ${SMALL_LIMIT}-byte limit on one tensor`, () => {
  it('refuses a tensor over the limit, naming its size', async () => {
    const info = await initBackend('webgpu', { ...quiet, maxTensorBytes: SMALL_LIMIT });
    expect(info.maxTensorBytes).toBe(SMALL_LIMIT);
    const x = tf.range(0, 50_000);
    expect(() => tf.tidy(() => tf.mul(x, 2))).toThrow(`webgpu: a 200000-byte tensor is over the ${SMALL_LIMIT}-byte limit on one tensor`);
    x.dispose();
  });

  for (const dir of SETS) {
    it(`passes every ${path.basename(dir)} case`, async () => {
      await initBackend('webgpu', { ...quiet, maxTensorBytes: SMALL_LIMIT });
      await expectEveryCasePasses(dir);
    }, SET_TIMEOUT_MS);
  }
});
