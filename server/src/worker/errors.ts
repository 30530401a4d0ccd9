// How a job can end in the engine worker other than with a result; the gRPC layer maps both to statuses.
import type { JobFailure } from './protocol.js';

/** The worker stopped (crashed, killed, or the server is stopping) before the job or request was answered. */
export class WorkerStoppedError extends Error {
  constructor(how: string, restarting = true) {
    super(`the engine worker stopped (${how}) before this job finished${restarting ? '; it is being restarted, send the job again' : ''}`);
    this.name = 'WorkerStoppedError';
  }
}

/** A job the worker ran and failed, with the status it computed (the error's class is only known there). */
export class WorkerJobError extends Error {
  constructor(readonly failure: JobFailure) {
    super(failure.message);
    this.name = 'WorkerJobError';
    if (failure.stack) this.stack = failure.stack;
  }
}
