// The catalog-export format: what the storefront app writes for fine-tuning and the server's training reads.
// A folder with `catalog.jsonl` and the product images beside it.
//
// Format (one JSON object per line, UTF-8):
//   {"image": "images/123-1.jpg",          // path relative to the folder (or absolute)
//    "title": "Black latex mini dress",    // product title
//    "product_type": "Dress",              // Shopify product type ("" if none)
//    "tags": ["latex", "black", "party"],  // product tags
//    "description": "<p>Glossy ...</p>",   // product description; HTML is stripped here
//    "category": "Apparel > Dresses"}      // taxonomy path ("" if none)
// One line per product image: a product with three photos gives three lines sharing the text fields.
import { z } from 'zod';

export const CATALOG_FILE = 'catalog.jsonl';

export const catalogLineSchema = z.object({
  image: z.string().min(1),
  title: z.string(),
  product_type: z.string().default(''),
  tags: z.array(z.string()).default([]),
  description: z.string().default(''),
  category: z.string().default(''),
});
export type CatalogLine = z.infer<typeof catalogLineSchema>;
