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
