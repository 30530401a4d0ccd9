// Original file: tryon/v1/tryon.proto

export const GarmentConditioning = {
  GARMENT_CONDITIONING_UNSPECIFIED: 'GARMENT_CONDITIONING_UNSPECIFIED',
  /**
   * IP-Adapter(-plus) image prompt from the product image, the title as text prompt, warp-then-refine.
   */
  GARMENT_CONDITIONING_IP_ADAPTER: 'GARMENT_CONDITIONING_IP_ADAPTER',
  /**
   * CatVTON's attention weights: non-commercial licence, only on servers started with
   * TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true.
   */
  GARMENT_CONDITIONING_CATVTON: 'GARMENT_CONDITIONING_CATVTON',
  /**
   * Text only: the product's description (and a store LoRA).
   */
  GARMENT_CONDITIONING_TEXT: 'GARMENT_CONDITIONING_TEXT',
} as const;

export type GarmentConditioning =
  | 'GARMENT_CONDITIONING_UNSPECIFIED'
  | 0
  /**
   * IP-Adapter(-plus) image prompt from the product image, the title as text prompt, warp-then-refine.
   */
  | 'GARMENT_CONDITIONING_IP_ADAPTER'
  | 1
  /**
   * CatVTON's attention weights: non-commercial licence, only on servers started with
   * TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true.
   */
  | 'GARMENT_CONDITIONING_CATVTON'
  | 2
  /**
   * Text only: the product's description (and a store LoRA).
   */
  | 'GARMENT_CONDITIONING_TEXT'
  | 3

export type GarmentConditioning__Output = typeof GarmentConditioning[keyof typeof GarmentConditioning]
