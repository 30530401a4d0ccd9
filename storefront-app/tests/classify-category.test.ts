import { describe, expect, it } from 'vitest';
import { classifyCategory } from '../src/shopify/classify-category.js';

const cases: [string, string[], string][] = [
  ['T-Shirt', [], 'upper'],
  ['Shirts', ['linen'], 'upper'],
  ['Hoodie', [], 'upper'],
  ['Outerwear', ['coat', 'winter'], 'upper'],
  ['Jeans', [], 'lower'],
  ['', ['skirt', 'summer'], 'lower'],
  ['Shorts', [], 'lower'],
  ['Dresses', [], 'dress'],
  ['Shirt Dress', [], 'dress'],
  ['Jumpsuit', [], 'dress'],
  ['Sneakers', [], 'not_wearable'],
  ['Accessories', ['leather', 'belt'], 'not_wearable'],
  ['Gift Card', [], 'not_wearable'],
  ['', [], 'not_wearable'],
  ['Home', ['candle'], 'not_wearable'],
  // Product type is read before tags; an explicit tryon: tag wins over both.
  ['Tops', ['pants-matching'], 'upper'],
  ['Bag', ['tryon:upper'], 'upper'],
  ['T-Shirt', ['TRYON:not_wearable'], 'not_wearable'],
  ['T-Shirt', ['tryon:hat'], 'upper'],
];

describe('classifyCategory', () => {
  for (const [type, tags, expected] of cases) {
    it(`"${type}" [${tags.join(', ')}] → ${expected}`, () => {
      expect(classifyCategory(type, tags)).toBe(expected);
    });
  }
});
