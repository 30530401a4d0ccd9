// Original file: tryon/v1/tryon.proto

import type { Queued as _tryon_v1_Queued, Queued__Output as _tryon_v1_Queued__Output } from '../../tryon/v1/Queued.js';
import type { TrainProgress as _tryon_v1_TrainProgress, TrainProgress__Output as _tryon_v1_TrainProgress__Output } from '../../tryon/v1/TrainProgress.js';
import type { Checkpoint as _tryon_v1_Checkpoint, Checkpoint__Output as _tryon_v1_Checkpoint__Output } from '../../tryon/v1/Checkpoint.js';
import type { Sample as _tryon_v1_Sample, Sample__Output as _tryon_v1_Sample__Output } from '../../tryon/v1/Sample.js';
import type { Done as _tryon_v1_Done, Done__Output as _tryon_v1_Done__Output } from '../../tryon/v1/Done.js';
import type { Started as _tryon_v1_Started, Started__Output as _tryon_v1_Started__Output } from '../../tryon/v1/Started.js';
import type { Paused as _tryon_v1_Paused, Paused__Output as _tryon_v1_Paused__Output } from '../../tryon/v1/Paused.js';
import type { DatasetReport as _tryon_v1_DatasetReport, DatasetReport__Output as _tryon_v1_DatasetReport__Output } from '../../tryon/v1/DatasetReport.js';

export interface TrainEvent {
  'queued'?: (_tryon_v1_Queued | null);
  'progress'?: (_tryon_v1_TrainProgress | null);
  'checkpoint'?: (_tryon_v1_Checkpoint | null);
  'sample'?: (_tryon_v1_Sample | null);
  'done'?: (_tryon_v1_Done | null);
  'started'?: (_tryon_v1_Started | null);
  /**
   * The job yielded the GPU to waiting shoppers; Started follows when it resumes.
   */
  'paused'?: (_tryon_v1_Paused | null);
  /**
   * Once, after the dataset was read and filtered, before the first step.
   */
  'dataset'?: (_tryon_v1_DatasetReport | null);
  'event'?: "queued"|"progress"|"checkpoint"|"sample"|"done"|"started"|"paused"|"dataset";
}

export interface TrainEvent__Output {
  'queued'?: (_tryon_v1_Queued__Output | null);
  'progress'?: (_tryon_v1_TrainProgress__Output | null);
  'checkpoint'?: (_tryon_v1_Checkpoint__Output | null);
  'sample'?: (_tryon_v1_Sample__Output | null);
  'done'?: (_tryon_v1_Done__Output | null);
  'started'?: (_tryon_v1_Started__Output | null);
  /**
   * The job yielded the GPU to waiting shoppers; Started follows when it resumes.
   */
  'paused'?: (_tryon_v1_Paused__Output | null);
  /**
   * Once, after the dataset was read and filtered, before the first step.
   */
  'dataset'?: (_tryon_v1_DatasetReport__Output | null);
  'event'?: "queued"|"progress"|"checkpoint"|"sample"|"done"|"started"|"paused"|"dataset";
}
