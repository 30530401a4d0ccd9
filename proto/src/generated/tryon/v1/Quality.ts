// Original file: tryon/v1/tryon.proto

export const Quality = {
  QUALITY_UNSPECIFIED: 'QUALITY_UNSPECIFIED',
  QUALITY_STANDARD: 'QUALITY_STANDARD',
  QUALITY_FAST: 'QUALITY_FAST',
} as const;

export type Quality =
  | 'QUALITY_UNSPECIFIED'
  | 0
  | 'QUALITY_STANDARD'
  | 1
  | 'QUALITY_FAST'
  | 2

export type Quality__Output = typeof Quality[keyof typeof Quality]
