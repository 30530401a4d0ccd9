// Original file: tryon/v1/tryon.proto


export interface Progress {
  'step'?: (number);
  'total_steps'?: (number);
  /**
   * Only on every preview_every-th step, else empty.
   */
  'preview_jpeg'?: (Buffer | Uint8Array | string);
  /**
   * What the job is doing, e.g. "loading-model", "analysing-person", "denoising", "decoding".
   */
  'stage'?: (string);
}

export interface Progress__Output {
  'step': (number);
  'total_steps': (number);
  /**
   * Only on every preview_every-th step, else empty.
   */
  'preview_jpeg': (Buffer);
  /**
   * What the job is doing, e.g. "loading-model", "analysing-person", "denoising", "decoding".
   */
  'stage': (string);
}
