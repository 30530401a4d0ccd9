// Why a gRPC call failed, machine-readable. The server sends it in trailing metadata beside the status, in the
// shape of google.rpc.ErrorInfo: `error-reason` (one of ERROR_REASONS) and `error-domain` ("tryon.v1").
// tryon.proto's comments list the same reasons with what a client should do about each.

export const ERROR_REASONS = [
  'BAD_ARGUMENT',
  'BAD_IMAGE',
  'IMAGE_TOO_LARGE',
  'NO_PERSON',
  'SEVERAL_PEOPLE',
  'PERSON_TOO_SMALL',
  'PERSON_CUT_OFF',
  'NO_GARMENT',
  'MODEL_NOT_FOUND',
  'MODEL_MISSING',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'QUEUE_FULL',
  'SHUTTING_DOWN',
  'ENGINE_RESTARTED',
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'UNAUTHENTICATED',
  'INTERNAL',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export const ERROR_DOMAIN = 'tryon.v1';
export const ERROR_REASON_KEY = 'error-reason';
export const ERROR_DOMAIN_KEY = 'error-domain';

export const isErrorReason = (value: unknown): value is ErrorReason =>
  typeof value === 'string' && (ERROR_REASONS as readonly string[]).includes(value);
