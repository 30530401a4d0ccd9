// Original file: tryon/v1/tryon.proto

import type { Job as _tryon_v1_Job, Job__Output as _tryon_v1_Job__Output } from '../../tryon/v1/Job.js';

export interface ListJobsResponse {
  'jobs'?: (_tryon_v1_Job)[];
}

export interface ListJobsResponse__Output {
  'jobs': (_tryon_v1_Job__Output)[];
}
