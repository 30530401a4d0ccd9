// Jobs by id for GetJob / ListJobs / CancelJob: all live jobs, plus the most recent finished ones.
import type { Job, JobKind, JobSnapshot, JobState } from './job.js';

export interface JobFilter {
  /** Only this caller's jobs; undefined = everyone's (admins). */
  owner?: string;
  kind?: JobKind;
  state?: JobState;
  limit?: number;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly finishedToKeep: number) {}

  add(job: Job): void {
    this.jobs.set(job.id, job);
    this.prune();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Most recent first. */
  list(filter: JobFilter = {}): JobSnapshot[] {
    const out: JobSnapshot[] = [];
    for (const job of [...this.jobs.values()].reverse()) {
      if (filter.owner !== undefined && job.owner !== filter.owner) continue;
      if (filter.kind && job.kind !== filter.kind) continue;
      if (filter.state && job.state !== filter.state) continue;
      out.push(job.snapshot());
      if (filter.limit && out.length >= filter.limit) break;
    }
    return out;
  }

  live(): Job[] {
    return [...this.jobs.values()].filter((job) => !job.finished);
  }

  /** Map order is insertion order, so the first finished jobs found are the oldest. */
  prune(): void {
    let finished = [...this.jobs.values()].filter((job) => job.finished).length;
    for (const [id, job] of this.jobs) {
      if (finished <= this.finishedToKeep) break;
      if (job.finished) {
        this.jobs.delete(id);
        finished--;
      }
    }
  }
}
