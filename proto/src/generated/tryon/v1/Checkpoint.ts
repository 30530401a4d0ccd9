// Original file: tryon/v1/tryon.proto


export interface Checkpoint {
  'name'?: (string);
  'step'?: (number);
}

export interface Checkpoint__Output {
  'name': (string);
  'step': (number);
}
