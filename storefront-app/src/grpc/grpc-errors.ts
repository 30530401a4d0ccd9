// gRPC statuses from the inference server, as the shopper API's error codes and sentences.
import { status, type ServiceError } from '@grpc/grpc-js';
import type { ErrorCode } from '../api/shopper-api.js';

export interface ShopperFacingError {
  code: ErrorCode;
  message: string;
}

/** The statuses after which another server (or a later try) may succeed. */
export const retryableStatuses: ReadonlySet<status> = new Set([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE]);

export const isServiceError = (err: unknown): err is ServiceError =>
  err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;

export function shopperFacingError(err: unknown): ShopperFacingError {
  if (!isServiceError(err)) return { code: 'internal', message: 'Something went wrong while creating your try-on.' };
  const details = err.details ?? '';
  switch (err.code) {
    case status.RESOURCE_EXHAUSTED:
      return { code: 'busy', message: 'The fitting room is busy right now. Please try again in a minute.' };
    case status.UNAVAILABLE:
      return { code: 'unavailable', message: 'The fitting room is not available right now. Please try again later.' };
    case status.DEADLINE_EXCEEDED:
      return { code: 'timeout', message: 'Your try-on took too long. Please try again.' };
    case status.CANCELLED:
      return { code: 'cancelled', message: 'The try-on was cancelled.' };
    case status.FAILED_PRECONDITION:
    case status.UNIMPLEMENTED:
      // The server lacks what the job needs (an engine or model that is not installed).
      return { code: 'unavailable', message: 'The fitting room is not available right now. Please try again later.' };
    case status.INVALID_ARGUMENT:
      // The server says which input it could not use; a missing person is the one a shopper can fix.
      return /no person|person not found|body points/i.test(details)
        ? { code: 'no_person', message: 'We could not find a person in your photo. Try a photo where you are fully visible.' }
        : { code: 'bad_image', message: 'We could not use this photo. Please try another one.' };
    default:
      return { code: 'internal', message: 'Something went wrong while creating your try-on.' };
  }
}
