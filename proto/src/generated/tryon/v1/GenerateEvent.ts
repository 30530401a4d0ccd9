// Original file: tryon/v1/tryon.proto

import type { Queued as _tryon_v1_Queued, Queued__Output as _tryon_v1_Queued__Output } from '../../tryon/v1/Queued.js';
import type { Started as _tryon_v1_Started, Started__Output as _tryon_v1_Started__Output } from '../../tryon/v1/Started.js';
import type { Progress as _tryon_v1_Progress, Progress__Output as _tryon_v1_Progress__Output } from '../../tryon/v1/Progress.js';
import type { Result as _tryon_v1_Result, Result__Output as _tryon_v1_Result__Output } from '../../tryon/v1/Result.js';

export interface GenerateEvent {
  'queued'?: (_tryon_v1_Queued | null);
  'started'?: (_tryon_v1_Started | null);
  'progress'?: (_tryon_v1_Progress | null);
  'result'?: (_tryon_v1_Result | null);
  'event'?: "queued"|"started"|"progress"|"result";
}

export interface GenerateEvent__Output {
  'queued'?: (_tryon_v1_Queued__Output | null);
  'started'?: (_tryon_v1_Started__Output | null);
  'progress'?: (_tryon_v1_Progress__Output | null);
  'result'?: (_tryon_v1_Result__Output | null);
  'event'?: "queued"|"started"|"progress"|"result";
}
