// Original file: tryon/v1/tryon.proto


export interface Timings {
  /**
   * Waiting in the queue.
   */
  'queued_ms'?: (number);
  /**
   * Loading the model (0 when it was already loaded).
   */
  'load_ms'?: (number);
  /**
   * Running the job (analysis, denoising, decoding).
   */
  'run_ms'?: (number);
  /**
   * Encoding results.
   */
  'encode_ms'?: (number);
  /**
   * From acceptance to the Result.
   */
  'total_ms'?: (number);
}

export interface Timings__Output {
  /**
   * Waiting in the queue.
   */
  'queued_ms': (number);
  /**
   * Loading the model (0 when it was already loaded).
   */
  'load_ms': (number);
  /**
   * Running the job (analysis, denoising, decoding).
   */
  'run_ms': (number);
  /**
   * Encoding results.
   */
  'encode_ms': (number);
  /**
   * From acceptance to the Result.
   */
  'total_ms': (number);
}
