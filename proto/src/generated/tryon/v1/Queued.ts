// Original file: tryon/v1/tryon.proto


/**
 * Sent when the job is accepted, and again when its place in the queue changes.
 */
export interface Queued {
  /**
   * Jobs ahead of this one (0 = next).
   */
  'position'?: (number);
  /**
   * For GetJob / CancelJob.
   */
  'job_id'?: (string);
}

/**
 * Sent when the job is accepted, and again when its place in the queue changes.
 */
export interface Queued__Output {
  /**
   * Jobs ahead of this one (0 = next).
   */
  'position': (number);
  /**
   * For GetJob / CancelJob.
   */
  'job_id': (string);
}
