// The one GPU queue: one job at a time; shoppers' (interactive) jobs before training; a running training job
// hands the GPU to waiting shoppers between its steps and gets it back, ahead of other training, when they are done.
import { QueueClosedError, QueueFullError } from './errors.js';
import type { Job } from './job.js';

export interface JobEvents {
  /** On acceptance and whenever the number of jobs ahead changes. */
  onQueued?(position: number): void;
  /** When the job first gets the GPU, and again on resuming after a pause. */
  onStarted?(resumed: boolean): void;
  /** A training job gave the GPU to `waiting` interactive jobs. */
  onPaused?(waiting: number): void;
}

export interface JobContext {
  readonly job: Job;
  readonly signal: AbortSignal;
  /**
   * Call between steps. When shoppers wait, the job pauses here until they are served (training only;
   * interactive jobs return at once). Rejects with the cancellation if the job is cancelled while paused.
   */
  yieldToInteractive(): Promise<void>;
}

export interface QueueDepth {
  interactive: number;
  training: number;
  running: number;
}

interface Entry {
  readonly job: Job;
  readonly events: JobEvents;
  grant?: () => void;
  reportedPosition?: number;
}

export class GpuQueue {
  private readonly interactive: Entry[] = [];
  /** Training jobs that yielded; they resume before training jobs that never started. */
  private readonly paused: Entry[] = [];
  private readonly training: Entry[] = [];
  private holder: Entry | undefined;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly maxWaiting: number,
    private readonly onDepthChange: (depth: QueueDepth) => void = () => {},
  ) {}

  /** Jobs waiting to start (paused training jobs are not counted: they already hold their place). */
  get waitingCount(): number {
    return this.interactive.length + this.training.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws QueueClosedError / QueueFullError when a job submitted now would be refused (refusals are not jobs). */
  assertAccepting(): void {
    if (this.closed) throw new QueueClosedError();
    if (this.waitingCount >= this.maxWaiting) throw new QueueFullError(this.maxWaiting);
  }

  /**
   * Queues the job and runs it when it gets the GPU. Throws QueueFullError / QueueClosedError at once,
   * the job's cancellation error if it is cancelled (waiting, paused or running), or what `run` throws.
   */
  async submit<T>(job: Job, run: (ctx: JobContext) => Promise<T>, events: JobEvents = {}): Promise<T> {
    this.assertAccepting();
    const entry: Entry = { job, events };
    (job.priority === 'interactive' ? this.interactive : this.training).push(entry);
    this.publishPositions();
    try {
      await this.waitForGrant(entry);
      job.state = 'running';
      job.startedAt = Date.now();
      events.onStarted?.(false);
      return await run({ job, signal: job.signal, yieldToInteractive: () => this.yieldToInteractive(entry) });
    } finally {
      this.remove(entry);
      if (this.holder === entry) this.holder = undefined;
      this.pump();
    }
  }

  /** Refuse new jobs from now on; running and queued ones carry on. */
  close(): void {
    this.closed = true;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  depth(): QueueDepth {
    return { interactive: this.interactive.length, training: this.training.length + this.paused.length, running: this.holder ? 1 : 0 };
  }

  private isIdle(): boolean {
    return !this.holder && this.interactive.length + this.paused.length + this.training.length === 0;
  }

  private async yieldToInteractive(entry: Entry): Promise<void> {
    entry.job.signal.throwIfAborted();
    if (entry.job.priority !== 'training' || this.interactive.length === 0 || this.holder !== entry) return;
    entry.job.state = 'paused';
    entry.events.onPaused?.(this.interactive.length);
    this.holder = undefined;
    this.paused.push(entry);
    await this.waitForGrant(entry);
    entry.job.state = 'running';
    entry.events.onStarted?.(true);
  }

  /** Resolves when `pump` makes this entry the holder; rejects (and leaves the queue) on cancellation. */
  private waitForGrant(entry: Entry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = entry.job.signal;
      const onAbort = (): void => {
        this.remove(entry);
        this.publishPositions();
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      entry.grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.pump();
    });
  }

  private pump(): void {
    if (!this.holder) {
      const next = this.interactive.shift() ?? this.paused.shift() ?? this.training.shift();
      if (next) {
        this.holder = next;
        const grant = next.grant;
        next.grant = undefined;
        grant?.();
      }
    }
    this.publishPositions();
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private remove(entry: Entry): void {
    for (const list of [this.interactive, this.paused, this.training]) {
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
    }
  }

  private publishPositions(): void {
    [...this.interactive, ...this.paused, ...this.training].forEach((entry, position) => {
      if (entry.job.state !== 'queued' || entry.reportedPosition === position) return;
      entry.reportedPosition = position;
      entry.job.position = position;
      entry.events.onQueued?.(position);
    });
    this.onDepthChange(this.depth());
  }
}
