/**
 * Which part of the body a garment dresses: tops, bottoms, or a one-piece from shoulders to legs. The storefront
 * classifies products into these, the shopper API and the try-on pipeline speak them; on the wire (tryon.proto)
 * they are GarmentCategory's UPPER_BODY, LOWER_BODY and DRESS.
 */
export const WEARABLE_CATEGORIES = ['upper', 'lower', 'dress'] as const;
export type WearableCategory = (typeof WEARABLE_CATEGORIES)[number];
