// Errors a caller can act on: each has a stable code (the gRPC layer maps them to INVALID_ARGUMENT, or
// FAILED_PRECONDITION for a missing model) and a sentence that names the problem with the photo or the argument.

export type TryOnErrorCode =
  | 'BAD_IMAGE'
  | 'BAD_ARGUMENT'
  | 'NO_PERSON'
  | 'SEVERAL_PEOPLE'
  | 'PERSON_TOO_SMALL'
  | 'PERSON_CUT_OFF'
  | 'NO_GARMENT'
  | 'MODEL_MISSING';

export class TryOnError extends Error {
  constructor(
    readonly code: TryOnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TryOnError';
  }
}
