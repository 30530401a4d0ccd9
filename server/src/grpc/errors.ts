// Errors a handler can end with, and the one place that maps any error to a gRPC status (by name).
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { ERROR_DOMAIN, ERROR_DOMAIN_KEY, ERROR_REASON_KEY, isErrorReason, type ErrorReason } from '@fitting-room/proto';
import { CancelledError } from '../cancellation.js';
import { QueueClosedError, QueueFullError } from '../queue/errors.js';
import { ModelNameError, ModelNotFoundError } from '../model-store/catalog.js';
import { TryOnError } from '../tryon/errors.js';
import { WorkerJobError, WorkerStoppedError } from '../worker/errors.js';

export type { ErrorReason };

/** A bad request value; the message names the field and the value. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly reason: ErrorReason = 'BAD_ARGUMENT',
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export class AlreadyExistsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyExistsError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Errors the engines throw for bad input, recognised by name so this module needs none of them. */
const ENGINE_INPUT_ERRORS = new Set(['PipelineInputError', 'LoraError', 'DatasetError']);
/** A model file in the models directory the engine cannot use: the operator's to fix, not the caller's. */
const ENGINE_MODEL_ERRORS = new Set(['WeightsError', 'ModelWeightsError', 'ModelConfigError', 'IPAdapterError']);

export interface StatusInfo {
  readonly code: status;
  readonly details: string;
  readonly reason: ErrorReason;
  /** false for INTERNAL: the real message goes to the log, the client gets a generic one. */
  readonly expected: boolean;
}

export function toStatus(error: unknown): StatusInfo {
  // The worker mapped the engine's error where its class is known.
  if (error instanceof WorkerJobError) return { ...error.failure, reason: isErrorReason(error.failure.reason) ? error.failure.reason : 'INTERNAL' };
  const expected = (code: status, reason: ErrorReason, details = (error as Error).message): StatusInfo => ({ code, details, reason, expected: true });
  if (error instanceof WorkerStoppedError) return expected(status.UNAVAILABLE, 'ENGINE_RESTARTED');
  if (error instanceof InputError) return expected(status.INVALID_ARGUMENT, error.reason);
  if (error instanceof ModelNameError) return expected(status.INVALID_ARGUMENT, 'BAD_ARGUMENT');
  if (error instanceof ModelNotFoundError) return expected(status.NOT_FOUND, 'MODEL_NOT_FOUND');
  if (error instanceof NotFoundError) return expected(status.NOT_FOUND, 'NOT_FOUND');
  if (error instanceof AlreadyExistsError) return expected(status.ALREADY_EXISTS, 'ALREADY_EXISTS');
  if (error instanceof QueueFullError) return expected(status.RESOURCE_EXHAUSTED, 'QUEUE_FULL');
  if (error instanceof QueueClosedError) return expected(status.UNAVAILABLE, 'SHUTTING_DOWN');
  if (error instanceof CancelledError) {
    if (error.reason === 'shutdown') return expected(status.UNAVAILABLE, 'SHUTTING_DOWN');
    return error.reason === 'deadline-exceeded' ? expected(status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED') : expected(status.CANCELLED, 'CANCELLED');
  }
  if (error instanceof TryOnError) {
    if (error.code === 'MODEL_MISSING') return expected(status.FAILED_PRECONDITION, 'MODEL_MISSING');
    return expected(status.INVALID_ARGUMENT, error.code);
  }
  if (error instanceof Error && ENGINE_INPUT_ERRORS.has(error.name)) return expected(status.INVALID_ARGUMENT, 'BAD_ARGUMENT');
  if (error instanceof Error && ENGINE_MODEL_ERRORS.has(error.name)) return expected(status.FAILED_PRECONDITION, 'MODEL_MISSING');
  return { code: status.INTERNAL, details: 'internal error; see the server log', reason: 'INTERNAL', expected: false };
}

/** The status with its reason in trailing metadata (ErrorInfo's reason and domain). */
export function toServiceError(info: Pick<StatusInfo, 'code' | 'details' | 'reason'>): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(ERROR_REASON_KEY, info.reason);
  metadata.set(ERROR_DOMAIN_KEY, ERROR_DOMAIN);
  return { code: info.code, details: info.details, metadata };
}

/** The status code's name, for logs and metrics labels. */
export function statusName(code: status): string {
  return status[code] ?? String(code);
}
