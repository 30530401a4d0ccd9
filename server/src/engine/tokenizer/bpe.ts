// Byte-level BPE as in OpenAI CLIP / GPT-2: every UTF-8 byte maps to a printable character, then the
// lowest-ranked adjacent pair of a word is merged until no ranked pair is left. CLIP marks the end of
// each word by suffixing its last symbol with `</w>`.

export const END_OF_WORD = '</w>';

/**
 * GPT-2's reversible byte → character table: printable Latin-1 bytes keep their character, the other
 * 68 bytes are shifted to U+0100 onwards so that no byte becomes whitespace or a control character.
 */
function buildByteEncoder(): readonly string[] {
  const printable = (byte: number): boolean =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const table: string[] = [];
  let shifted = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (printable(byte)) {
      table[byte] = String.fromCharCode(byte);
    } else {
      table[byte] = String.fromCharCode(256 + shifted);
      shifted += 1;
    }
  }
  return table;
}

const BYTE_ENCODER = buildByteEncoder();
const utf8 = new TextEncoder();

/** The UTF-8 bytes of `word`, each written as its byte-level BPE character. */
export function bytesToUnicode(word: string): string {
  let out = '';
  for (const byte of utf8.encode(word)) out += BYTE_ENCODER[byte];
  return out;
}

/** Parses merges.txt: one "left right" pair per line, best first; the `#version` header is skipped. */
export function parseMerges(text: string): Map<string, number> {
  const ranks = new Map<string, number>();
  const lines = text.split('\n');
  for (const rawLine of lines) {
    const line = rawLine.replace(/\r$/, '');
    if (line.startsWith('#version') || line.trim() === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2) throw new Error(`merges.txt: expected "left right", got ${JSON.stringify(line)}`);
    const key = pairKey(parts[0], parts[1]);
    if (!ranks.has(key)) ranks.set(key, ranks.size);
  }
  return ranks;
}

/** Symbols never contain a space (bytes_to_unicode maps 0x20 elsewhere), so a space joins a pair safely. */
function pairKey(left: string, right: string): string {
  return `${left} ${right}`;
}

/** A long-running server sees unbounded distinct words; the oldest cached ones are forgotten past this. */
const MAX_CACHED_WORDS = 50_000;

/** Applies merges to one pre-split word, remembering results (prompts repeat words a lot). */
export class BytePairEncoder {
  private readonly cache = new Map<string, readonly string[]>();
  private readonly special = new Set<string>();

  constructor(
    private readonly ranks: ReadonlyMap<string, number>,
    specialTokens: readonly string[],
  ) {
    for (const token of specialTokens) this.special.add(token);
  }

  /** The BPE symbols of `word` (already byte-encoded), the last one ending in `</w>`. */
  encode(word: string): readonly string[] {
    // Special tokens written in the text stay whole, as CLIP seeds its cache with them.
    if (this.special.has(word)) return [word];
    const cached = this.cache.get(word);
    if (cached) return cached;
    const symbols = this.merge(word);
    if (this.cache.size >= MAX_CACHED_WORDS) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(word, symbols);
    return symbols;
  }

  private merge(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length === 0) return [];
    let symbols = [...chars.slice(0, -1), chars[chars.length - 1] + END_OF_WORD];
    while (symbols.length > 1) {
      const best = this.bestPair(symbols);
      if (best === undefined) break;
      const [first, second] = best;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (symbols[i] === first && i < symbols.length - 1 && symbols[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(symbols[i]);
          i += 1;
        }
      }
      symbols = merged;
    }
    return symbols;
  }

  private bestPair(symbols: readonly string[]): [string, string] | undefined {
    let best: [string, string] | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i < symbols.length - 1; i += 1) {
      const rank = this.ranks.get(pairKey(symbols[i], symbols[i + 1]));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = [symbols[i], symbols[i + 1]];
      }
    }
    return best;
  }
}
