// gRPC failures from the inference server, as the shopper API's error codes and sentences: by the server's
// reason (trailing metadata) where it sent one, else by status code.
import { status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_REASON_KEY, isErrorReason, type ErrorCode, type ErrorReason } from '@fitting-room/proto';

export interface ShopperFacingError {
  code: ErrorCode;
  message: string;
}

export const isServiceError = (err: unknown): err is ServiceError =>
  err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;

/**
 * The inference server's machine-readable reasons (trailing metadata `error-reason`, proto/tryon/v1/tryon.proto)
 * that a shopper can act on, as the shopper API's codes and sentences.
 */
const REASONS: Readonly<Partial<Record<ErrorReason, ShopperFacingError>>> = {
  NO_PERSON: { code: 'no_person', message: 'We could not find a person in your photo. Try a photo where you are fully visible.' },
  SEVERAL_PEOPLE: { code: 'several_people', message: 'There is more than one person in your photo. Please use a photo with only you in it.' },
  PERSON_TOO_SMALL: { code: 'person_too_small', message: 'You are too small in this photo. Please take it closer, so you fill most of the picture.' },
  PERSON_CUT_OFF: { code: 'person_cut_off', message: 'Part of you is outside the photo. Step back so your whole upper body (or whole body for trousers and dresses) is in the picture.' },
  BAD_IMAGE: { code: 'bad_image', message: 'We could not use this photo. Please try another one.' },
  IMAGE_TOO_LARGE: { code: 'photo_too_large', message: 'This photo is too large. Please choose a smaller one.' },
  QUEUE_FULL: { code: 'busy', message: 'The fitting room is busy right now. Please try again in a minute.' },
  SHUTTING_DOWN: { code: 'unavailable', message: 'The fitting room is not available right now. Please try again later.' },
  ENGINE_RESTARTED: { code: 'unavailable', message: 'The fitting room restarted while making your picture. Please try again.' },
  MODEL_MISSING: { code: 'unavailable', message: 'The fitting room is not available right now. Please try again later.' },
  DEADLINE_EXCEEDED: { code: 'timeout', message: 'Your try-on took too long. Please try again.' },
  CANCELLED: { code: 'cancelled', message: 'The try-on was cancelled.' },
};

/** The server's reason for a failed call, when it sent one. */
export function errorReason(err: ServiceError): ErrorReason | undefined {
  const reason = err.metadata?.get(ERROR_REASON_KEY)[0];
  return isErrorReason(reason) ? reason : undefined;
}

export function shopperFacingError(err: unknown): ShopperFacingError {
  if (!isServiceError(err)) return { code: 'internal', message: 'Something went wrong while creating your try-on.' };
  const reason = errorReason(err);
  const byReason = reason && REASONS[reason];
  if (byReason) return byReason;
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
      return { code: 'bad_image', message: 'We could not use this photo. Please try another one.' };
    default:
      return { code: 'internal', message: 'Something went wrong while creating your try-on.' };
  }
}
