// Keeps the pairs whose text mentions any chosen keyword (case-insensitive, whole phrase), as the original recipe.

/** Parses "a, b ,c" into normalised keywords; empty entries are dropped. */
export function parseKeywords(list: string): string[] {
  return list
    .split(',')
    .map((k) => normalise(k))
    .filter((k) => k.length > 0);
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** True when no keywords are given, or the text contains one of them. */
export function matchesKeywords(text: string, keywords: readonly string[]): boolean {
  if (keywords.length === 0) return true;
  const haystack = normalise(text);
  return keywords.some((k) => haystack.includes(normalise(k)));
}
