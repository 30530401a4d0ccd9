// Typed errors of a pipeline run, so callers (gRPC, CLI) can map them without parsing messages.

/** Bad options: the message names the value ("height must be a multiple of 8, got 500"). Nothing was computed. */
export class PipelineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineInputError';
  }
}
