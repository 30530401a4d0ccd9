// Original file: tryon/v1/tryon.proto

export const JobKind = {
  JOB_KIND_UNSPECIFIED: 'JOB_KIND_UNSPECIFIED',
  JOB_KIND_GENERATE: 'JOB_KIND_GENERATE',
  JOB_KIND_TRAIN: 'JOB_KIND_TRAIN',
} as const;

export type JobKind =
  | 'JOB_KIND_UNSPECIFIED'
  | 0
  | 'JOB_KIND_GENERATE'
  | 1
  | 'JOB_KIND_TRAIN'
  | 2

export type JobKind__Output = typeof JobKind[keyof typeof JobKind]
