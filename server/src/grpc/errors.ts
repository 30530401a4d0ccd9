// Errors a handler can end with, and the one place that maps any error to a gRPC status (by name).
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { JobCancelledError, QueueClosedError, QueueFullError } from '../queue/errors.js';
import { ModelNameError, ModelNotFoundError } from '../models/catalog.js';
import { TryOnError } from '../tryon/errors.js';
import { WorkerJobError, WorkerStoppedError } from '../worker/errors.js';

/** A bad request value; the message names the field and the value. */
export class InputError extends Error {
  constructor(message: string) {
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
const ENGINE_INPUT_ERRORS = new Set(['PipelineInputError', 'LoraError', 'DatasetError', 'TrainingInputError']);
const ENGINE_CANCELLED = new Set(['RunCancelled', 'TrainingCancelled']);

export interface StatusInfo {
  readonly code: status;
  readonly details: string;
  /** false for INTERNAL: the real message goes to the log, the client gets a generic one. */
  readonly expected: boolean;
}

export function toStatus(error: unknown): StatusInfo {
  // The worker mapped the engine's error where its class is known.
  if (error instanceof WorkerJobError) return { code: error.failure.code, details: error.failure.details, expected: error.failure.expected };
  if (error instanceof WorkerStoppedError) return { code: status.UNAVAILABLE, details: error.message, expected: true };
  if (error instanceof InputError || error instanceof ModelNameError) return { code: status.INVALID_ARGUMENT, details: error.message, expected: true };
  if (error instanceof NotFoundError || error instanceof ModelNotFoundError) return { code: status.NOT_FOUND, details: error.message, expected: true };
  if (error instanceof AlreadyExistsError) return { code: status.ALREADY_EXISTS, details: error.message, expected: true };
  if (error instanceof QueueFullError) return { code: status.RESOURCE_EXHAUSTED, details: error.message, expected: true };
  if (error instanceof QueueClosedError) return { code: status.UNAVAILABLE, details: error.message, expected: true };
  if (error instanceof JobCancelledError) {
    const code = error.reason === 'shutdown' ? status.UNAVAILABLE : error.reason === 'deadline-exceeded' ? status.DEADLINE_EXCEEDED : status.CANCELLED;
    return { code, details: error.message, expected: true };
  }
  if (error instanceof TryOnError) {
    const code = error.code === 'CANCELLED' ? status.CANCELLED : error.code === 'MODEL_MISSING' ? status.FAILED_PRECONDITION : status.INVALID_ARGUMENT;
    return { code, details: error.message, expected: true };
  }
  if (error instanceof Error && ENGINE_INPUT_ERRORS.has(error.name)) return { code: status.INVALID_ARGUMENT, details: error.message, expected: true };
  if (error instanceof Error && ENGINE_CANCELLED.has(error.name)) return { code: status.CANCELLED, details: error.message, expected: true };
  return { code: status.INTERNAL, details: 'internal error; see the server log', expected: false };
}

export function toServiceError(info: StatusInfo): Partial<ServiceError> {
  return { code: info.code, details: info.details, metadata: new Metadata() };
}

/** The status code's name, for logs and metrics labels. */
export function statusName(code: status): string {
  return status[code] ?? String(code);
}
