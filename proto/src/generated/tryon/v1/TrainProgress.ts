// Original file: tryon/v1/tryon.proto


export interface TrainProgress {
  'step'?: (number);
  'total_steps'?: (number);
  'loss'?: (number | string);
  'learning_rate'?: (number | string);
  'images_per_second'?: (number | string);
  'eta_seconds'?: (number | string);
}

export interface TrainProgress__Output {
  'step': (number);
  'total_steps': (number);
  'loss': (number);
  'learning_rate': (number);
  'images_per_second': (number);
  'eta_seconds': (number);
}
