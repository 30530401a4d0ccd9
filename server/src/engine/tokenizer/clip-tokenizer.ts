// CLIP's BPE tokenizer as Stable Diffusion pipelines call it: `tokenizer(text, padding="max_length",
// max_length=77, truncation=True)` — start token, at most 75 BPE tokens, end token, then padding.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BytePairEncoder, bytesToUnicode, parseMerges } from './bpe.js';
import { CLIP_WORD_PATTERN, normalizePrompt } from './text-cleaning.js';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
const MAX_SENSIBLE_LENGTH = 4096;
const SPECIAL_TOKEN_SPLIT = /(<\|startoftext\|>|<\|endoftext\|>)/;

/** A token setting is either the token's text or an AddedToken object carrying it in `content`. */
const tokenSetting = z
  .union([z.string(), z.object({ content: z.string() })])
  .transform((value) => (typeof value === 'string' ? value : value.content));

/** The fields of tokenizer_config.json / special_tokens_map.json this tokenizer reads; others are ignored. */
const tokenizerSettingsSchema = z.object({
  bos_token: tokenSetting.optional(),
  eos_token: tokenSetting.optional(),
  pad_token: tokenSetting.nullable().optional(),
  unk_token: tokenSetting.optional(),
  // transformers writes 1e30 ("no limit") when a tokenizer has none; CLIP's is 77.
  model_max_length: z
    .number()
    .positive()
    .refine((n) => n > MAX_SENSIBLE_LENGTH || Number.isInteger(n), 'must be an integer')
    .transform((n) => (n > MAX_SENSIBLE_LENGTH ? undefined : n))
    .optional(),
});
type TokenizerSettings = z.infer<typeof tokenizerSettingsSchema>;

const vocabSchema = z.record(z.string(), z.number().int().nonnegative());

export interface EncodedPrompt {
  /** Exactly `maxLength` ids: start, BPE tokens, end, padding. */
  readonly inputIds: number[];
  /** True when the prompt had more BPE tokens than fit and was cut. */
  readonly truncated: boolean;
  /** BPE tokens of the whole prompt before truncation (start and end tokens not counted). */
  readonly tokenCount: number;
}

export interface ClipTokenizerOptions {
  readonly vocab: ReadonlyMap<string, number>;
  readonly merges: ReadonlyMap<string, number>;
  /** Total sequence length including start and end tokens (77 for every SD text encoder). */
  readonly maxLength?: number;
  /** Token used for padding; SD 1.x pads with `<|endoftext|>`, SD 2.x with `!`. */
  readonly padToken?: string;
}

export class CLIPTokenizer {
  readonly maxLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  private readonly unkId: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly bpe: BytePairEncoder;

  constructor(options: ClipTokenizerOptions) {
    this.vocab = options.vocab;
    this.maxLength = options.maxLength ?? 77;
    if (this.maxLength < 2) throw new Error(`maxLength must leave room for start and end tokens, got ${this.maxLength}`);
    this.startId = this.idOf(START_OF_TEXT, 'start token');
    this.endId = this.idOf(END_OF_TEXT, 'end token');
    this.padId = this.idOf(options.padToken ?? END_OF_TEXT, 'pad token');
    this.unkId = this.endId;
    this.bpe = new BytePairEncoder(options.merges, [START_OF_TEXT, END_OF_TEXT]);
  }

  /** Loads vocab.json and merges.txt, and the pad token and length from tokenizer_config.json if present. */
  static async fromDir(dir: string): Promise<CLIPTokenizer> {
    const vocabPath = path.join(dir, 'vocab.json');
    const mergesPath = path.join(dir, 'merges.txt');
    // One after the other: with both missing, the error names vocab.json every time, not whichever read failed first.
    const vocabText = await readRequired(vocabPath);
    const mergesText = await readRequired(mergesPath);
    const vocab = vocabSchema.safeParse(parseJson(vocabText, vocabPath));
    if (!vocab.success) throw new Error(`${vocabPath}: expected {"token": id, ...}: ${z.prettifyError(vocab.error)}`);
    const settings = await readSettings(dir);
    return new CLIPTokenizer({
      vocab: new Map(Object.entries(vocab.data)),
      merges: parseMerges(mergesText),
      maxLength: settings.model_max_length,
      padToken: settings.pad_token ?? undefined,
    });
  }

  /** BPE ids of a text, without start/end tokens and without truncation. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    // Special tokens written in the raw text are split out first (case-sensitively), as transformers does.
    for (const chunk of text.split(SPECIAL_TOKEN_SPLIT)) {
      if (chunk === START_OF_TEXT) ids.push(this.startId);
      else if (chunk === END_OF_TEXT) ids.push(this.endId);
      else if (chunk !== '') this.tokenizeChunk(chunk, ids);
    }
    return ids;
  }

  /** The padded, truncated ids the text encoder takes. */
  encode(text: string): EncodedPrompt {
    const tokens = this.tokenize(text);
    const room = this.maxLength - 2;
    const kept = tokens.slice(0, room);
    const inputIds = [this.startId, ...kept, this.endId];
    while (inputIds.length < this.maxLength) inputIds.push(this.padId);
    return { inputIds, truncated: tokens.length > room, tokenCount: tokens.length };
  }

  /** Encodes each prompt; the ids as an int32 tensor `[B, maxLength]` (the caller disposes it). */
  encodeBatch(texts: readonly string[]): { inputIds: tf.Tensor2D; prompts: EncodedPrompt[] } {
    if (texts.length === 0) throw new Error('encodeBatch needs at least one text');
    const prompts = texts.map((text) => this.encode(text));
    const flat = Int32Array.from(prompts.flatMap((p) => p.inputIds));
    return { inputIds: tf.tensor2d(flat, [texts.length, this.maxLength], 'int32'), prompts };
  }

  private tokenizeChunk(chunk: string, ids: number[]): void {
    const text = normalizePrompt(chunk);
    for (const match of text.matchAll(CLIP_WORD_PATTERN)) {
      for (const symbol of this.bpe.encode(bytesToUnicode(match[0]))) {
        ids.push(this.vocab.get(symbol) ?? this.unkId);
      }
    }
  }

  private idOf(token: string, role: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`vocab.json has no ${role} ${JSON.stringify(token)}`);
    return id;
  }
}

async function readRequired(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read tokenizer file ${file}: ${(error as Error).message}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** special_tokens_map.json overrides tokenizer_config.json, as in transformers; both are optional. */
async function readSettings(dir: string): Promise<TokenizerSettings> {
  let merged: TokenizerSettings = {};
  for (const name of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = tokenizerSettingsSchema.safeParse(parseJson(text, file));
    if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
    merged = { ...merged, ...definedOnly(parsed.data) };
  }
  return merged;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
