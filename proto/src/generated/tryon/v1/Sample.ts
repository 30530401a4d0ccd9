// Original file: tryon/v1/tryon.proto


export interface Sample {
  'prompt'?: (string);
  'image_png'?: (Buffer | Uint8Array | string);
  'step'?: (number);
}

export interface Sample__Output {
  'prompt': (string);
  'image_png': (Buffer);
  'step': (number);
}
