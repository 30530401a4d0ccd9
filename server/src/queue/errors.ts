// Why the queue refused or stopped a job; the gRPC layer maps each to a status code.

export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`the GPU queue is full (${limit} jobs waiting); retry later`);
    this.name = 'QueueFullError';
  }
}

export class QueueClosedError extends Error {
  constructor() {
    super('the server is shutting down and accepts no new jobs');
    this.name = 'QueueClosedError';
  }
}

export type CancelReason = 'client-cancelled' | 'deadline-exceeded' | 'cancel-requested' | 'shutdown';

const REASON_TEXT: Record<CancelReason, string> = {
  'client-cancelled': 'the client cancelled the call',
  'deadline-exceeded': "the call's deadline passed",
  'cancel-requested': 'CancelJob was called',
  shutdown: 'the server is shutting down',
};

export class JobCancelledError extends Error {
  constructor(readonly reason: CancelReason) {
    super(`job cancelled: ${REASON_TEXT[reason]}`);
    this.name = 'JobCancelledError';
  }
}
