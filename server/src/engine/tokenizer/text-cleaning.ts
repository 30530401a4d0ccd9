// Text normalisation CLIP's tokenizer applies before BPE: the parts of ftfy.fix_text that change
// real prompts, then whitespace_clean and lower-casing (transformers' CLIPTokenizer._tokenize).
//
// Porting note: ftfy's mojibake repair (fix_encoding, which guesses that UTF-8 was decoded as
// Latin-1/cp1252) is a large heuristic system and is not ported; prompts typed into a browser arrive
// as proper Unicode. The fixes below are the deterministic ones, in ftfy's order.

/** ftfy unescapes HTML entities unless the text looks like HTML (contains a literal '<'). */
const HTML_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;

/** Named entities worth decoding in prompts; ftfy knows all of HTML5's, these cover what people type. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«',
  raquo: '»', middot: '·', deg: '°', times: '×', divide: '÷', euro: '€', pound: '£', yen: '¥', cent: '¢',
  sect: '§', para: '¶', bull: '•', eacute: 'é', egrave: 'è', agrave: 'à', aacute: 'á', ccedil: 'ç',
  uuml: 'ü', ouml: 'ö', auml: 'ä', szlig: 'ß', ntilde: 'ñ',
};

function decodeEntity(entity: string): string {
  const body = entity.slice(1, -1);
  if (body.startsWith('#')) {
    const isHex = body[1] === 'x' || body[1] === 'X';
    const code = Number.parseInt(isHex ? body.slice(2) : body.slice(1), isHex ? 16 : 10);
    const valid = Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : entity;
  }
  // ftfy also accepts all-caps spellings (&AMP;) by lower-casing them.
  const named = NAMED_ENTITIES[body] ?? (body === body.toUpperCase() ? NAMED_ENTITIES[body.toLowerCase()] : undefined);
  return named ?? entity;
}

function unescapeHtml(text: string): string {
  return text.replace(HTML_ENTITY_RE, decodeEntity);
}

/** ESC [ ... letter: terminal colour codes pasted from a console. */
const TERMINAL_ESCAPE_RE = /\u001b\[((?:\d|;)*)([a-zA-Z])/g;

/** C1 controls (U+0080–U+009F) are almost always Windows-1252 bytes decoded as Latin-1. */
const CP1252_C1: Readonly<Record<number, string>> = {
  0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰',
  0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•',
  0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
};

function fixC1Controls(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0)] ?? c);
}

const LATIN_LIGATURES: Readonly<Record<string, string>> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': "ʼn", 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž',
  'Ǉ': 'LJ', 'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl',
  'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};

const LATIN_LIGATURE_RE = new RegExp(`[${Object.keys(LATIN_LIGATURES).join('')}]`, 'g');

function fixLatinLigatures(text: string): string {
  return text.replace(LATIN_LIGATURE_RE, (c) => LATIN_LIGATURES[c] ?? c);
}

/** Full-width ASCII, the ideographic space and half-width forms become their normal-width characters. */
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (c) => c.normalize('NFKC'));
}

function uncurlQuotes(text: string): string {
  return text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
}

function fixLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u2028\u2029\u0085]/g, '\n');
}

/** Lone surrogates (invalid UTF-16) become U+FFFD, as Python cannot hold them either. */
function fixSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** ftfy removes C0 controls except \t \n \f \r, DEL, deprecated format chars, BOM and interlinear annotations. */
const CONTROL_CHARS_RE = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * The deterministic part of ftfy.fix_text (see the porting note above). ftfy fixes line by line and
 * stops decoding HTML entities from the first line containing a literal '<' on (it is probably HTML).
 */
export function fixText(input: string): string {
  let decodeEntities = true;
  const lines = input.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines
    .map((line) => {
      if (line.includes('<')) decodeEntities = false;
      return fixSegment(line, decodeEntities);
    })
    .join('');
}

/** One line, fixed until nothing changes, as ftfy's fix_and_explain. */
function fixSegment(input: string, decodeEntities: boolean): string {
  let text = input;
  for (let round = 0; round < 4; round += 1) {
    const before = text;
    if (decodeEntities) text = unescapeHtml(text);
    text = text.replace(TERMINAL_ESCAPE_RE, '');
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = text.replace(CONTROL_CHARS_RE, '');
    text = text.normalize('NFC');
    if (text === before) break;
  }
  return text;
}

/**
 * Python's `\s` (str.isspace): JavaScript's `\s` lacks U+001C–U+001F and U+0085 and wrongly (for this
 * purpose) includes U+FEFF.
 */
const PY_WHITESPACE_RUN = /[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** Whitespace runs become one space, then the ends are trimmed (transformers' whitespace_clean). */
export function whitespaceClean(text: string): string {
  return text.replace(PY_WHITESPACE_RUN, ' ').replace(/^ | $/g, '');
}

/** Everything CLIP does to a text chunk before splitting it into words. */
export function normalizePrompt(text: string): string {
  return whitespaceClean(fixText(text)).toLowerCase();
}

/**
 * CLIP's word splitter: special tokens, English contractions, letter runs, single digits, and runs of
 * other non-space characters. `\s` here is Unicode White_Space (the `regex` module's), which after
 * whitespace_clean only ever meets plain spaces.
 */
export const CLIP_WORD_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
