// Original file: tryon/v1/tryon.proto

import type { JobKind as _tryon_v1_JobKind, JobKind__Output as _tryon_v1_JobKind__Output } from '../../tryon/v1/JobKind.js';
import type { JobState as _tryon_v1_JobState, JobState__Output as _tryon_v1_JobState__Output } from '../../tryon/v1/JobState.js';

export interface ListJobsRequest {
  /**
   * Filters; unspecified = all.
   */
  'kind'?: (_tryon_v1_JobKind);
  'state'?: (_tryon_v1_JobState);
  /**
   * Most recent first; 0 = 100.
   */
  'limit'?: (number);
}

export interface ListJobsRequest__Output {
  /**
   * Filters; unspecified = all.
   */
  'kind': (_tryon_v1_JobKind__Output);
  'state': (_tryon_v1_JobState__Output);
  /**
   * Most recent first; 0 = 100.
   */
  'limit': (number);
}
