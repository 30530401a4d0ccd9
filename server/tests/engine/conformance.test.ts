// The conformance runner on the shared sd-tiny and sd-tiny-ext sets: every case passes (train_step may only be skipped while
// no handler for it is registered), and a manifest with wrong expectations fails instead of passing vacuously.
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePythonJson } from '../../src/engine/conformance/lenient-json.js';
import { caseHandler } from '../../src/engine/conformance/registry.js';
import { formatResult, formatSummary, runConformance } from '../../src/engine/conformance/runner.js';
import { SD_TINY_FIXTURES, useWasm } from './pipelines-helpers.js';

beforeAll(useWasm);

describe('conformance on ../shared/fixtures/sd-tiny', () => {
  it('passes every engine case without leaking a tensor, and train_step when it has a handler', async () => {
    const manifest = parsePythonJson(await readFile(path.join(SD_TINY_FIXTURES, 'manifest.json'), 'utf8')) as { cases: { type: string }[] };
    const engineTypes = [...new Set(manifest.cases.map((c) => c.type))].filter((t) => t !== 'train_step');

    const before = tf.memory().numTensors;
    const engine = await runConformance(SD_TINY_FIXTURES, { types: engineTypes });
    expect(tf.memory().numTensors).toBe(before);
    expect(engine.results.filter((r) => r.status !== 'pass').map(formatResult)).toEqual([]);
    expect(engine.results.every((r) => /^PASS /.test(formatResult(r)))).toBe(true);

    // train_step belongs to training; it may only be skipped while no handler for it is registered.
    const training = await runConformance(SD_TINY_FIXTURES, { types: ['train_step'] });
    for (const r of training.results) {
      if (r.status === 'skipped') expect(caseHandler('train_step')).toBeUndefined();
      else expect(r.status, formatResult(r)).toBe('pass');
    }
    expect(engine.results.length + training.results.length).toBe(manifest.cases.length);
    expect(formatSummary(engine)).toBe(`${engine.results.length} passed, 0 failed`);
  });
});

describe('conformance on ../shared/fixtures/sd-tiny-ext', () => {
  it('passes every case (IP-Adapter, image encoder, LCM, TAESD, diffusers LoRA) without leaking a tensor', async () => {
    const ext = path.join(SD_TINY_FIXTURES, '../sd-tiny-ext');
    const manifest = parsePythonJson(await readFile(path.join(ext, 'manifest.json'), 'utf8')) as { cases: unknown[] };
    const before = tf.memory().numTensors;
    const summary = await runConformance(ext);
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.results.filter((r) => r.status !== 'pass').map(formatResult)).toEqual([]);
    expect(summary.results).toHaveLength(manifest.cases.length);
  });
});

describe('conformance on a manifest with wrong expectations', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'conformance-'));
    for (const entry of ['models', 'tensors', 'single-file', 'lora', 'images']) {
      await symlink(path.join(SD_TINY_FIXTURES, entry), path.join(dir, entry));
    }
    const manifest = parsePythonJson(await readFile(path.join(SD_TINY_FIXTURES, 'manifest.json'), 'utf8')) as {
      cases: { id: string; type: string; inputs: Record<string, unknown>; expected: Record<string, unknown> }[];
    };
    const pick = (type: string) => structuredClone(manifest.cases.find((c) => c.type === type)!);
    const tokenize = pick('tokenize');
    tokenize.inputs.text = `${String(tokenize.inputs.text)} extra`;
    const txt2img = pick('txt2img');
    txt2img.inputs.prompt = 'a different prompt';
    const scheduler = manifest.cases.find((c) => c.type === 'scheduler' && Array.isArray(c.inputs.model_output))!;
    const shortened = structuredClone(scheduler);
    shortened.inputs.num_inference_steps = Number(shortened.inputs.num_inference_steps) + 1;
    const unknown = { ...structuredClone(tokenize), id: 'new_kind', type: 'made_up_type' };
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, cases: [tokenize, txt2img, shortened, unknown] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails the altered cases and skips an unknown type', async () => {
    const summary = await runConformance(dir);
    expect(summary.results.map((r) => [r.id.length > 0, r.status])).toEqual([
      [true, 'fail'],
      [true, 'fail'],
      [true, 'fail'],
      [true, 'skipped'],
    ]);
    expect(formatSummary(summary)).toBe('0 passed, 3 failed, 1 skipped');
    expect(formatResult(summary.results[1])).toMatch(/^FAIL .* txt2img .* max abs err \d/);
  });

  it('rejects a folder without a valid manifest with a clear error', async () => {
    await expect(runConformance(path.join(dir, 'models'))).rejects.toThrow(/cannot read .*manifest\.json/);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ version: 2, cases: [] }));
    await expect(runConformance(dir)).rejects.toThrow(/does not match the fixture format/);
  });
});
