// The embedded default for a machine with no weights: two tiny random Stable Diffusion models (text-to-image
// and inpainting) written once into the data directory, so every mode runs end to end on a fresh clone.
// Their images are noise (random weights); they exist to prove the path, not to be looked at.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeRandomModel, bytesToUnicode, END_OF_WORD } from '../engine/index.js';

export const EMBEDDED_BASE = 'embedded-tiny';
export const EMBEDDED_INPAINT = 'embedded-tiny-inpaint';

/** CLIP's special token ids, which the tiny text encoder's 49408-entry embedding table expects. */
const START_OF_TEXT_ID = 49406;
const END_OF_TEXT_ID = 49407;

/**
 * A byte-level vocabulary of our own (no merges): every UTF-8 byte is a token, with and without `</w>`.
 * CLIP's real vocabulary is not ours to ship, and a random model needs no better.
 */
function byteLevelVocab(): Record<string, number> {
  const symbols = new Set<string>();
  for (let code = 0; code < 0x800; code++) for (const symbol of bytesToUnicode(String.fromCodePoint(code))) symbols.add(symbol);
  for (const sample of ['\u0800', '\uffff', '\u{10000}', '\u{10ffff}', '\u{40000}', '\u{80000}', '\u{c0000}']) for (const symbol of bytesToUnicode(sample)) symbols.add(symbol);
  const vocab: Record<string, number> = {};
  [...symbols].sort().forEach((symbol, i) => {
    vocab[symbol] = i;
    vocab[symbol + END_OF_WORD] = symbols.size + i;
  });
  vocab['<|startoftext|>'] = START_OF_TEXT_ID;
  vocab['<|endoftext|>'] = END_OF_TEXT_ID;
  return vocab;
}

async function writeTokenizer(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'vocab.json'), JSON.stringify(byteLevelVocab()));
  await fs.writeFile(path.join(dir, 'merges.txt'), '#version: 0.2\n');
}


/** Written to a temporary folder and renamed, so an interrupted first start never leaves half a model. */
async function writeOnce(dir: string, seed: number, tokenizerDir: string, inChannels: number): Promise<void> {
  if (existsSync(path.join(dir, 'model_index.json'))) return;
  const staging = `${dir}.partial-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await writeRandomModel(staging, { seed, tokenizerDir, sizes: { unet: { in_channels: inChannels } } });
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
}

/** Ensures the embedded models exist under `<dataDir>/embedded-models`; returns that folder (a models dir). */
export async function ensureEmbeddedModels(dataDir: string): Promise<string> {
  const root = path.join(dataDir, 'embedded-models');
  const tokenizerDir = path.join(root, '.byte-tokenizer');
  await writeTokenizer(tokenizerDir);
  await writeOnce(path.join(root, EMBEDDED_BASE), 1, tokenizerDir, 4);
  await writeOnce(path.join(root, EMBEDDED_INPAINT), 2, tokenizerDir, 9);
  return root;
}
