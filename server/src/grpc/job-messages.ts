// Queue job snapshots ↔ proto Job messages and enum names.
import type { Job, JobKind__Output, JobState__Output, Mode__Output, ModelKind__Output } from '@fitting-room/proto';
import type { JobKind, JobSnapshot, JobState } from '../queue/job.js';
import type { ModelKind } from '../model-store/scan.js';

export const JOB_KIND_NAMES: Record<JobKind, JobKind__Output> = { generate: 'JOB_KIND_GENERATE', train: 'JOB_KIND_TRAIN' };

export const JOB_STATE_NAMES: Record<JobState, JobState__Output> = {
  queued: 'JOB_STATE_QUEUED',
  running: 'JOB_STATE_RUNNING',
  paused: 'JOB_STATE_PAUSED',
  succeeded: 'JOB_STATE_SUCCEEDED',
  failed: 'JOB_STATE_FAILED',
  cancelled: 'JOB_STATE_CANCELLED',
};

export const MODEL_KIND_NAMES: Record<ModelKind, ModelKind__Output> = {
  base: 'MODEL_KIND_BASE',
  inpaint: 'MODEL_KIND_INPAINT',
  lora: 'MODEL_KIND_LORA',
  'fine-tuned': 'MODEL_KIND_FINE_TUNED',
  'try-on': 'MODEL_KIND_TRY_ON',
  taesd: 'MODEL_KIND_TAESD',
  'ip-adapter': 'MODEL_KIND_IP_ADAPTER',
  catvton: 'MODEL_KIND_CATVTON',
};

/** Inverse lookup: proto enum name → our value; undefined for UNSPECIFIED or unknown names. */
export function fromEnumName<K extends string>(names: Record<K, string>, protoName: string): K | undefined {
  return (Object.keys(names) as K[]).find((key) => names[key] === protoName);
}

export function toJobMessage(job: JobSnapshot): Job {
  return {
    id: job.id,
    kind: JOB_KIND_NAMES[job.kind],
    state: JOB_STATE_NAMES[job.state],
    position: job.position,
    progress: job.progress,
    error: job.error,
    step: job.step,
    total_steps: job.totalSteps,
    mode: (job.mode || 'MODE_UNSPECIFIED') as Mode__Output,
    model: job.model,
    created_unix_ms: String(job.createdAt),
    started_unix_ms: String(job.startedAt ?? 0),
    finished_unix_ms: String(job.finishedAt ?? 0),
  };
}
