// Original file: tryon/v1/tryon.proto


export interface LoraRef {
  'name'?: (string);
  /**
   * Strength multiplier; 0 means 1.0.
   */
  'scale'?: (number | string);
}

export interface LoraRef__Output {
  'name': (string);
  /**
   * Strength multiplier; 0 means 1.0.
   */
  'scale': (number);
}
