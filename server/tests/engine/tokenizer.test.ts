import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors, disposeWeights } from '../../src/engine/safetensors/reader.js';
import { CLIPTokenizer } from '../../src/engine/tokenizer/clip-tokenizer.js';
import { fixText, normalizePrompt } from '../../src/engine/tokenizer/text-cleaning.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');
const tokenizerDir = path.join(fixtures, 'models/sd-tiny/tokenizer');

interface TokenizeCase {
  id: string;
  type: string;
  inputs: { text: string; max_length: number };
  expected: { input_ids: { file: string; key: string }; input_ids_unpadded_json: number[] };
}

async function tokenizeCases(): Promise<TokenizeCase[]> {
  // The manifest holds `-Infinity` (Python's json) in scheduler configs; JSON.parse needs it quoted.
  const text = await readFile(path.join(fixtures, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(text.replace(/:\s*(-?)Infinity\b/g, ': "$1Infinity"')) as { cases: TokenizeCase[] };
  return manifest.cases.filter((c) => c.type === 'tokenize');
}

let tokenizer: CLIPTokenizer;
let cases: TokenizeCase[];
const expectedIds = new Map<string, number[]>();

beforeAll(async () => {
  await tf.setBackend('wasm');
  tokenizer = await CLIPTokenizer.fromDir(tokenizerDir);
  cases = await tokenizeCases();
  const files = new Set(cases.map((c) => c.expected.input_ids.file));
  for (const file of files) {
    const weights = await loadSafetensors(path.join(fixtures, file));
    for (const c of cases) {
      const tensor = weights.get(c.expected.input_ids.key);
      if (c.expected.input_ids.file === file && tensor) expectedIds.set(c.id, Array.from(tensor.dataSync()));
    }
    disposeWeights(weights);
  }
});

describe('CLIPTokenizer on the sd-tiny tokenize cases', () => {
  it('has all 25 cases with their expected ids', () => {
    expect(cases).toHaveLength(25);
    expect(expectedIds.size).toBe(25);
  });

  it('reproduces every case exactly (padded ids and unpadded ids)', () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const encoded = tokenizer.encode(c.inputs.text);
      const expected = expectedIds.get(c.id);
      const unpadded = [tokenizer.startId, ...tokenizer.tokenize(c.inputs.text).slice(0, 75), tokenizer.endId];
      if (JSON.stringify(encoded.inputIds) !== JSON.stringify(expected)) mismatches.push(`${c.id} padded`);
      if (JSON.stringify(unpadded) !== JSON.stringify(c.expected.input_ids_unpadded_json)) {
        mismatches.push(`${c.id} unpadded: got ${JSON.stringify(unpadded)}`);
      }
      expect(encoded.inputIds).toHaveLength(c.inputs.max_length);
    }
    expect(mismatches).toEqual([]);
  });

  it('truncates a long prompt to 75 tokens, still ends in the end token, and says so', () => {
    const long = cases.find((c) => c.expected.input_ids_unpadded_json.length === 77);
    expect(long).toBeDefined();
    const encoded = tokenizer.encode(long!.inputs.text);
    expect(encoded.truncated).toBe(true);
    expect(encoded.tokenCount).toBeGreaterThan(75);
    expect(encoded.inputIds[76]).toBe(49407);
    const short = tokenizer.encode('a cat');
    expect(short).toMatchObject({ truncated: false, tokenCount: 2 });
  });

  it('pads with the end token for SD 1.x and starts with the start token', () => {
    const { inputIds } = tokenizer.encode('');
    expect(inputIds[0]).toBe(49406);
    expect(inputIds.slice(1)).toEqual(new Array(76).fill(49407));
  });

  it('treats special tokens written in the text as those tokens', () => {
    expect(tokenizer.tokenize('a<|endoftext|>b')).toEqual([
      ...tokenizer.tokenize('a'),
      49407,
      ...tokenizer.tokenize('b'),
    ]);
  });

  it('batch-encodes into an int32 [B, 77] tensor', () => {
    const before = tf.memory().numTensors;
    const { inputIds, prompts } = tokenizer.encodeBatch(['a cat', 'a photograph of an astronaut riding a horse']);
    expect(inputIds.shape).toEqual([2, 77]);
    expect(inputIds.dtype).toBe('int32');
    const rows = inputIds.arraySync();
    expect(rows[1]).toEqual(expectedIds.get('tokenize_00'));
    expect(rows[0]).toEqual(prompts[0].inputIds);
    inputIds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('text cleaning', () => {
  it('fixes what ftfy fixes in prompts: entities, curly quotes, ligatures, full width, NFC', () => {
    expect(fixText('fish &amp; chips')).toBe('fish & chips');
    expect(fixText('&lt;b&gt; stays when a < is present')).toBe('&lt;b&gt; stays when a < is present');
    expect(fixText('“quoted” ‘single’')).toBe('"quoted" \'single\'');
    expect(fixText('ﬂuﬃest')).toBe('fluffiest');
    expect(fixText('ＡＢＣ１２３')).toBe('ABC123');
    expect(fixText('cafe\u0301')).toBe('café');
    expect(fixText('a &amp; b\n<i>x</i>\nc &amp; d')).toBe('a & b\n<i>x</i>\nc &amp; d');
    expect(normalizePrompt('  A\u2028B\u3000C\tD  ')).toBe('a b c d');
  });
});

describe('CLIPTokenizer.fromDir errors', () => {
  it('names the missing file', async () => {
    await expect(CLIPTokenizer.fromDir('/nonexistent/tokenizer')).rejects.toThrow(/vocab\.json/);
  });

  it('uses the pad token of tokenizer_config.json (SD 2.x pads with "!", id 0)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tokenizer-'));
    try {
      await copyFile(path.join(tokenizerDir, 'vocab.json'), path.join(dir, 'vocab.json'));
      await copyFile(path.join(tokenizerDir, 'merges.txt'), path.join(dir, 'merges.txt'));
      await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '!', model_max_length: 77 }));
      const sd2 = await CLIPTokenizer.fromDir(dir);
      expect(sd2.padId).toBe(0);
      expect(sd2.encode('cat').inputIds.slice(0, 5)).toEqual([49406, ...tokenizer.tokenize('cat'), 49407, 0, 0]);
      await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 1e30 }));
      expect((await CLIPTokenizer.fromDir(dir)).maxLength).toBe(77);
      await writeFile(path.join(dir, 'vocab.json'), '{"a": "not a number"}');
      await expect(CLIPTokenizer.fromDir(dir)).rejects.toThrow(/vocab\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
