// A store's product as the app keeps it, and the try-on categories garments fall into.
import { WEARABLE_CATEGORIES } from '@fitting-room/proto';

export const tryOnCategories = [...WEARABLE_CATEGORIES, 'not_wearable'] as const;
export type TryOnCategory = (typeof tryOnCategories)[number];

export interface ProductVariant {
  id: string;
  title: string;
}

/** A product as read from the Admin API (or the demo catalog). */
export interface CatalogProduct {
  /** Admin GraphQL id, `gid://shopify/Product/123` (demo products: `demo-<handle>`). */
  productId: string;
  handle: string;
  title: string;
  productType: string;
  tags: string[];
  description: string;
  imageUrl: string | null;
  variants: ProductVariant[];
}

export interface StoredProduct extends CatalogProduct {
  shop: string;
  /** What the classifier decided. */
  autoCategory: TryOnCategory;
  /** What the merchant chose instead, if anything. */
  categoryOverride: TryOnCategory | null;
  tryOnEnabled: boolean;
}

export const effectiveCategory = (p: StoredProduct): TryOnCategory => p.categoryOverride ?? p.autoCategory;

/** `123`, `gid://shopify/Product/123` and `demo-x` all name a product; stored ids are the GID form. */
export const normalizeProductId = (id: string): string => (/^\d+$/.test(id) ? `gid://shopify/Product/${id}` : id);
