// The app's error hierarchy: each error carries an HTTP status and a code from the shopper API.
// `errorHandler` (routes/error-handler.ts) is the one place that turns them into responses.
import type { ErrorCode } from '@fitting-room/proto';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code: ErrorCode = 'bad_request') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, headers: Record<string, string> = {}) {
    super(401, 'unauthorized', message, headers);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'unauthorized', message);
  }
}

export class NotFoundError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'photo_too_large', message);
  }
}

export class UnsupportedImageError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_image', message);
  }
}

export class BadImageError extends AppError {
  constructor(message: string) {
    super(422, 'bad_image', message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(code: 'rate_limited' | 'quota_exceeded', message: string, retryAfterSeconds: number) {
    super(429, code, message, { 'Retry-After': String(Math.ceil(retryAfterSeconds)) });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: 'busy' | 'unavailable', message: string) {
    super(503, code, message);
  }
}

export class InternalError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(500, code, message);
  }
}

export class GatewayTimeoutError extends AppError {
  constructor(message: string) {
    super(504, 'timeout', message);
  }
}

/** The client stopped sending its request (closed the tab, lost the network): nobody is left to answer. */
export class ClientAbortedError extends Error {}

/** A try-on that failed before it was queued, as the upload's HTTP error (same code and sentence as the SSE event). */
export function tryOnFailure(code: ErrorCode, message: string): AppError {
  switch (code) {
    case 'busy':
    case 'unavailable':
      return new ServiceUnavailableError(code, message);
    case 'no_person':
    case 'several_people':
    case 'person_too_small':
    case 'person_cut_off':
    case 'bad_image':
      return new AppError(422, code, message);
    case 'photo_too_large':
      return new AppError(413, code, message);
    case 'timeout':
      return new GatewayTimeoutError(message);
    default:
      return new InternalError(code, message);
  }
}
