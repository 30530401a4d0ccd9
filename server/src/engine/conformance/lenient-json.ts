// Python's json module writes Infinity, -Infinity and NaN bare (diffusers configs carry
// lambda_min_clipped: -Infinity); JSON.parse rejects them. This turns those bare words, outside
// strings, into quoted strings that the config schemas map back to numbers.

const BARE_WORDS = ['-Infinity', 'Infinity', 'NaN'];

export function parsePythonJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const word = BARE_WORDS.find((w) => text.startsWith(w, i));
    if (word) {
      out += JSON.stringify(word);
      i += word.length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out);
}
