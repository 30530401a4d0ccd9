// Original file: tryon/v1/tryon.proto


export interface Progress {
  /**
   * Denoising steps; for MODE_TRY_ON, percent of the whole run (step of 100) across its stages.
   */
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
  /**
   * Denoising steps; for MODE_TRY_ON, percent of the whole run (step of 100) across its stages.
   */
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
