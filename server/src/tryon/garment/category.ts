// The garment's category: the caller's when given, else read from the product's title/description.
import { TryOnError } from '../errors.js';
import { CATEGORIES, type Category } from '../types.js';

// Checked in this order: "shirt dress" is a dress, "t-shirt" a top.
const KEYWORDS: readonly [Category, RegExp][] = [
  ['dress', /\b(dress|gown|jumpsuit|playsuit|romper|overall|robe|kaftan|sundress)(es|s)?\b/i],
  ['lower', /\b(trousers?|pants|jeans|shorts|skirts?|leggings|joggers|chinos|culottes|slacks)\b/i],
  ['upper', /\b(t-?shirts?|tees?|shirts?|tops?|blouses?|polos?|sweaters?|jumpers?|hoodies?|sweatshirts?|cardigans?|jackets?|coats?|blazers?|vests?|tanks?|camis?|knit)\b/i],
];

/** upper | lower | dress; the gRPC enum's names (UPPER_BODY, LOWER_BODY, DRESS) are accepted too. */
export function parseCategory(value: string): Category {
  const normal = value.trim().toLowerCase().replace(/_body$/, '');
  if ((CATEGORIES as readonly string[]).includes(normal)) return normal as Category;
  throw new TryOnError('BAD_ARGUMENT', `category must be one of ${CATEGORIES.join(', ')}, got "${value}"`);
}

export function resolveCategory(given: string | undefined, title?: string, description?: string): Category {
  if (given !== undefined && given !== '' && given !== 'GARMENT_CATEGORY_UNSPECIFIED') return parseCategory(given);
  const text = `${title ?? ''} ${description ?? ''}`;
  for (const [category, pattern] of KEYWORDS) if (pattern.test(text)) return category;
  throw new TryOnError(
    'BAD_ARGUMENT',
    `no category given and none found in the product's title/description ("${text.trim().slice(0, 80)}"): pass upper, lower or dress`,
  );
}
