// Original file: tryon/v1/tryon.proto

import type { JobKind as _tryon_v1_JobKind, JobKind__Output as _tryon_v1_JobKind__Output } from '../../tryon/v1/JobKind.js';
import type { JobState as _tryon_v1_JobState, JobState__Output as _tryon_v1_JobState__Output } from '../../tryon/v1/JobState.js';
import type { Mode as _tryon_v1_Mode, Mode__Output as _tryon_v1_Mode__Output } from '../../tryon/v1/Mode.js';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'id'?: (string);
  'kind'?: (_tryon_v1_JobKind);
  'state'?: (_tryon_v1_JobState);
  /**
   * Jobs ahead of it while queued.
   */
  'position'?: (number);
  /**
   * 0..1.
   */
  'progress'?: (number | string);
  /**
   * Why it failed or was cancelled.
   */
  'error'?: (string);
  'step'?: (number);
  'total_steps'?: (number);
  'mode'?: (_tryon_v1_Mode);
  'model'?: (string);
  'created_unix_ms'?: (number | string | Long);
  'started_unix_ms'?: (number | string | Long);
  'finished_unix_ms'?: (number | string | Long);
}

export interface Job__Output {
  'id': (string);
  'kind': (_tryon_v1_JobKind__Output);
  'state': (_tryon_v1_JobState__Output);
  /**
   * Jobs ahead of it while queued.
   */
  'position': (number);
  /**
   * 0..1.
   */
  'progress': (number);
  /**
   * Why it failed or was cancelled.
   */
  'error': (string);
  'step': (number);
  'total_steps': (number);
  'mode': (_tryon_v1_Mode__Output);
  'model': (string);
  'created_unix_ms': (string);
  'started_unix_ms': (string);
  'finished_unix_ms': (string);
}
