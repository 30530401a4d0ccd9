// Original file: tryon/v1/tryon.proto


export interface Paused {
  'step'?: (number);
  /**
   * Interactive jobs waiting when the pause began.
   */
  'waiting_jobs'?: (number);
}

export interface Paused__Output {
  'step': (number);
  /**
   * Interactive jobs waiting when the pause began.
   */
  'waiting_jobs': (number);
}
