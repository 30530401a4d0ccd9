// Original file: tryon/v1/tryon.proto

export const Mode = {
  MODE_UNSPECIFIED: 'MODE_UNSPECIFIED',
  MODE_TRY_ON: 'MODE_TRY_ON',
  MODE_TEXT_TO_IMAGE: 'MODE_TEXT_TO_IMAGE',
  MODE_IMAGE_TO_IMAGE: 'MODE_IMAGE_TO_IMAGE',
  MODE_INPAINT: 'MODE_INPAINT',
} as const;

export type Mode =
  | 'MODE_UNSPECIFIED'
  | 0
  | 'MODE_TRY_ON'
  | 1
  | 'MODE_TEXT_TO_IMAGE'
  | 2
  | 'MODE_IMAGE_TO_IMAGE'
  | 3
  | 'MODE_INPAINT'
  | 4

export type Mode__Output = typeof Mode[keyof typeof Mode]
