// Original file: tryon/v1/tryon.proto


export interface Done {
  'model_name'?: (string);
  'steps'?: (number);
  'final_loss'?: (number | string);
}

export interface Done__Output {
  'model_name': (string);
  'steps': (number);
  'final_loss': (number);
}
