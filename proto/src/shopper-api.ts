// The shopper HTTP API: the contract between <tryon-widget> and the storefront app (storefront-app/API.md).
// Browser-safe (no Node imports): the widget imports its types from `@fitting-room/proto/shopper-api`.
import { z } from 'zod';

export { PHOTO_WORKING_SIZE } from './working-size.js';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_PIXELS = 40_000_000;

/** The text fields of `POST /tryon` (the photo travels as the multipart file `photo`). */
export const startTryOnFields = z.object({
  product_id: z.string().trim().min(1, 'product_id is required').max(200),
  consent: z.literal('true', { error: 'consent must be "true": the shopper has to agree before a photo is processed' }),
});
export type StartTryOnFields = z.infer<typeof startTryOnFields>;

/**
 * `jobId` is the job's handle, `<id>-<secret>`: the secret is what makes the job the shopper's own (a job is
 * readable and cancellable only with it), so a client keeps the handle as it is, uses it (or the URLs, which
 * carry it) for every call about the job, and never logs or shares it.
 */
export const startTryOnResponse = z.object({
  jobId: z.string().regex(/^[0-9a-f]{32}-[0-9a-f]{32}$/),
  eventsUrl: z.string(),
  resultUrl: z.string(),
});
export type StartTryOnResponse = z.infer<typeof startTryOnResponse>;

export const errorCodes = [
  'bad_request',
  'consent_required',
  'missing_photo',
  'photo_too_large',
  'unsupported_image',
  'bad_image',
  'no_person',
  'several_people',
  'person_too_small',
  'person_cut_off',
  'product_not_found',
  'product_not_wearable',
  'job_not_found',
  'not_found',
  'result_not_ready',
  'rate_limited',
  'quota_exceeded',
  'unauthorized',
  'busy',
  'unavailable',
  'timeout',
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const errorBody = z.object({ error: z.object({ code: z.enum(errorCodes), message: z.string() }) });

/** SSE events, by event name. */
export const sseEventData = {
  queued: z.object({ position: z.number().int().nonnegative() }),
  started: z.object({}),
  progress: z.object({
    step: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    previewJpegBase64: z.string().optional(),
  }),
  result: z.object({ resultUrl: z.string(), warnings: z.array(z.string()).optional() }),
  error: z.object({ code: z.enum(errorCodes), message: z.string() }),
} as const;

export type TryOnEvent =
  | { type: 'queued'; data: z.infer<typeof sseEventData.queued> }
  | { type: 'started'; data: z.infer<typeof sseEventData.started> }
  | { type: 'progress'; data: z.infer<typeof sseEventData.progress> }
  | { type: 'result'; data: z.infer<typeof sseEventData.result> }
  | { type: 'error'; data: z.infer<typeof sseEventData.error> };

export const isTerminal = (event: TryOnEvent): boolean => event.type === 'result' || event.type === 'error';
