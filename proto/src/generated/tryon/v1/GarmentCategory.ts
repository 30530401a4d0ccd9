// Original file: tryon/v1/tryon.proto

export const GarmentCategory = {
  GARMENT_CATEGORY_UNSPECIFIED: 'GARMENT_CATEGORY_UNSPECIFIED',
  UPPER_BODY: 'UPPER_BODY',
  LOWER_BODY: 'LOWER_BODY',
  DRESS: 'DRESS',
} as const;

export type GarmentCategory =
  | 'GARMENT_CATEGORY_UNSPECIFIED'
  | 0
  | 'UPPER_BODY'
  | 1
  | 'LOWER_BODY'
  | 2
  | 'DRESS'
  | 3

export type GarmentCategory__Output = typeof GarmentCategory[keyof typeof GarmentCategory]
