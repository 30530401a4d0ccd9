// Try-on category of a product from its product type and tags. A `tryon:<category>` tag decides outright;
// otherwise the product type is read first (merchants set it deliberately), then the tags.
import { tryOnCategories, type TryOnCategory } from '../catalog/product.js';

const KEYWORDS: Record<Exclude<TryOnCategory, 'not_wearable'>, string[]> = {
  dress: ['dress', 'dresses', 'gown', 'jumpsuit', 'romper', 'playsuit', 'sundress', 'kaftan'],
  lower: ['pants', 'trousers', 'jeans', 'shorts', 'skirt', 'skirts', 'leggings', 'joggers', 'chinos', 'culottes', 'sweatpants'],
  upper: ['shirt', 'shirts', 't-shirt', 'tee', 'tees', 'top', 'tops', 'blouse', 'sweater', 'jumper', 'hoodie', 'jacket',
    'coat', 'polo', 'tank', 'cardigan', 'sweatshirt', 'blazer', 'vest', 'camisole', 'tunic', 'pullover', 'parka'],
};

/** Things worn that the try-on engines do not paint (they would match "top" or "tee" in a longer name otherwise). */
const NOT_WEARABLE = ['shoe', 'shoes', 'sneakers', 'boots', 'sandals', 'bag', 'bags', 'hat', 'cap', 'socks', 'jewelry',
  'jewellery', 'necklace', 'ring', 'watch', 'belt', 'scarf', 'sunglasses', 'gift card'];

const words = (text: string): string[] => text.toLowerCase().split(/[^a-z0-9-]+/).filter(Boolean);

function fromText(text: string): TryOnCategory | undefined {
  const lower = text.toLowerCase();
  const ws = words(text);
  if (NOT_WEARABLE.some((k) => (k.includes(' ') ? lower.includes(k) : ws.includes(k)))) return 'not_wearable';
  // Dress before upper/lower: "shirt dress" is a dress, "skirt suit" stays a skirt.
  for (const category of ['dress', 'lower', 'upper'] as const) {
    if (KEYWORDS[category].some((k) => ws.includes(k))) return category;
  }
  return undefined;
}

export function classifyCategory(productType: string, tags: readonly string[]): TryOnCategory {
  for (const tag of tags) {
    const m = /^tryon:(.+)$/i.exec(tag.trim());
    const explicit = m?.[1].toLowerCase();
    if (explicit && (tryOnCategories as readonly string[]).includes(explicit)) return explicit as TryOnCategory;
  }
  return fromText(productType) ?? tags.map(fromText).find((c) => c !== undefined) ?? 'not_wearable';
}
