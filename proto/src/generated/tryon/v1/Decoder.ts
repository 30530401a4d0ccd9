// Original file: tryon/v1/tryon.proto

export const Decoder = {
  DECODER_UNSPECIFIED: 'DECODER_UNSPECIFIED',
  DECODER_VAE: 'DECODER_VAE',
  DECODER_TAESD: 'DECODER_TAESD',
} as const;

export type Decoder =
  | 'DECODER_UNSPECIFIED'
  | 0
  | 'DECODER_VAE'
  | 1
  | 'DECODER_TAESD'
  | 2

export type Decoder__Output = typeof Decoder[keyof typeof Decoder]
