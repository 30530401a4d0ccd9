// Typed errors of a pipeline run, so callers (gRPC, CLI) can map them without parsing messages.

/** Bad options: the message names the value ("height must be a multiple of 8, got 500"). Nothing was computed. */
export class PipelineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineInputError';
  }
}

/** The step callback returned false or the abort signal fired; every tensor of the run was freed first. */
export class RunCancelled extends Error {
  constructor(
    readonly completedSteps: number,
    readonly totalSteps: number,
  ) {
    super(`run cancelled after ${completedSteps} of ${totalSteps} steps`);
    this.name = 'RunCancelled';
  }
}
