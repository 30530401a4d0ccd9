// One unit of GPU work and what GetJob / ListJobs report about it.
import { randomUUID } from 'node:crypto';
import { CancelledError, type CancelReason } from '../cancellation.js';

export type JobKind = 'generate' | 'train';
export type JobPriority = 'interactive' | 'training';
export type JobState = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

export const FINISHED_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobSnapshot {
  readonly id: string;
  readonly kind: JobKind;
  readonly state: JobState;
  readonly position: number;
  /** 0..1 */
  readonly progress: number;
  readonly step: number;
  readonly totalSteps: number;
  readonly error: string;
  /** Proto Mode name for generate jobs, '' for training. */
  readonly mode: string;
  readonly model: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

export class Job {
  readonly id = randomUUID();
  readonly createdAt = Date.now();
  readonly priority: JobPriority;
  state: JobState = 'queued';
  position = 0;
  step = 0;
  totalSteps = 0;
  error = '';
  startedAt?: number;
  finishedAt?: number;
  private readonly controller = new AbortController();

  constructor(
    readonly kind: JobKind,
    readonly labels: { readonly mode: string; readonly model: string },
    /** The caller it belongs to (see grpc/caller.ts); only they, and admins, may see or cancel it. */
    readonly owner: string,
  ) {
    this.priority = kind === 'train' ? 'training' : 'interactive';
  }

  /** Aborted when the job is cancelled; its reason is a CancelledError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get finished(): boolean {
    return FINISHED_STATES.has(this.state);
  }

  /** Idempotent; a finished job stays as it ended. */
  cancel(reason: CancelReason): void {
    if (this.finished || this.signal.aborted) return;
    this.controller.abort(new CancelledError(reason));
  }

  reportProgress(step: number, totalSteps: number): void {
    this.step = step;
    this.totalSteps = totalSteps;
  }

  finish(state: 'succeeded' | 'failed' | 'cancelled', error = ''): void {
    this.state = state;
    this.error = error;
    this.finishedAt = Date.now();
  }

  snapshot(): JobSnapshot {
    const progress = this.state === 'succeeded' ? 1 : this.totalSteps > 0 ? this.step / this.totalSteps : 0;
    return {
      id: this.id,
      kind: this.kind,
      state: this.state,
      position: this.state === 'queued' ? this.position : 0,
      progress,
      step: this.step,
      totalSteps: this.totalSteps,
      error: this.error,
      mode: this.labels.mode,
      model: this.labels.model,
      createdAt: this.createdAt,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
    };
  }
}
