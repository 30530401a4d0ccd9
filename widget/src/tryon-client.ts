// Talks to the storefront app's try-on endpoints (storefront-app/API.md): upload, event stream, cancel.
import type { ErrorCode } from '@fitting-room/proto/shopper-api';
import type { WidgetErrorCode } from './strings.js';

export interface QueuedEvent { position: number }
export interface ProgressEvent { step: number; totalSteps: number; previewJpegBase64?: string }
export interface ResultEvent { resultUrl: string }

export interface JobHandlers {
  onQueued(event: QueuedEvent): void;
  onStarted(): void;
  onProgress(event: ProgressEvent): void;
  onResult(event: ResultEvent): void;
  onError(error: TryOnError): void;
}

/** An error the widget can put in a shopper's words: `code` picks the sentence. */
export class TryOnError extends Error {
  constructor(readonly code: WidgetErrorCode, message?: string) {
    super(message ?? code);
  }
}

// When a response carries no code we know (a proxy's own error page), its HTTP status decides.
const codesByStatus: Record<number, WidgetErrorCode> = {
  413: 'too_large',
  415: 'not_an_image',
  422: 'not_an_image',
  429: 'rate_limited',
  503: 'busy',
};

/**
 * Every error code of the shopper API (`errorCodes` in @fitting-room/proto/shopper-api, storefront-app/API.md) →
 * the sentence and action the shopper gets. A `Record` over the contract's codes: a code added there does not
 * compile here until it is given a sentence.
 */
export const widgetCodeByServerCode: Readonly<Record<ErrorCode, WidgetErrorCode>> = {
  bad_request: 'unknown',
  consent_required: 'consent_required',
  missing_photo: 'not_an_image',
  photo_too_large: 'too_large',
  unsupported_image: 'not_an_image',
  bad_image: 'not_an_image',
  no_person: 'no_person',
  several_people: 'several_people',
  person_too_small: 'person_too_small',
  person_cut_off: 'person_cut_off',
  product_not_found: 'unknown',
  product_not_wearable: 'unknown',
  job_not_found: 'unknown',
  not_found: 'unknown',
  result_not_ready: 'unknown',
  rate_limited: 'rate_limited',
  quota_exceeded: 'rate_limited',
  unauthorized: 'unknown',
  busy: 'busy',
  unavailable: 'unavailable',
  // The job could not be placed, or ran past the shopper's deadline: the servers are overloaded.
  timeout: 'busy',
  // Cancelled on the server's side (an operator, a shutdown): not the shopper's own Cancel, which closes the stream first.
  cancelled: 'cancelled',
  internal: 'unknown',
};

/** The widget's code for a shopper-API error `code` (and the response's HTTP status, when there was one). */
export function toWidgetErrorCode(code: unknown, status?: number): WidgetErrorCode {
  if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(widgetCodeByServerCode, code)) return widgetCodeByServerCode[code as ErrorCode];
  return (status !== undefined && codesByStatus[status]) || 'unknown';
}

export class TryOnClient {
  constructor(private readonly endpoint: string) {}

  private url(path: string): string {
    return `${this.endpoint.replace(/\/$/, '')}${path}`;
  }

  /** Uploads the photo and starts a try-on; resolves with the job id. */
  async start(photo: Blob, productId: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('photo', photo, 'photo.jpg');
    form.append('product_id', productId);
    form.append('consent', 'true');
    let response: Response;
    try {
      response = await fetch(this.url('/tryon'), { method: 'POST', body: form, signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new TryOnError('network');
    }
    const body = (await response.json().catch(() => ({}))) as { jobId?: string; error?: { code?: string; message?: string } };
    if (!response.ok || !body.jobId) {
      throw new TryOnError(toWidgetErrorCode(body.error?.code, response.status), body.error?.message);
    }
    return body.jobId;
  }

  /** Follows a job's Server-Sent Events until its result or error; returns a function that stops listening. */
  follow(jobId: string, handlers: JobHandlers): () => void {
    const source = new EventSource(this.url(`/tryon/${encodeURIComponent(jobId)}/events`));
    let finished = false;
    const finish = (): void => {
      finished = true;
      source.close();
    };
    const parse = <T>(event: Event): T => JSON.parse((event as MessageEvent<string>).data) as T;
    source.addEventListener('queued', (e) => handlers.onQueued(parse<QueuedEvent>(e)));
    source.addEventListener('started', () => handlers.onStarted());
    source.addEventListener('progress', (e) => handlers.onProgress(parse<ProgressEvent>(e)));
    source.addEventListener('result', (e) => {
      finish();
      handlers.onResult(parse<ResultEvent>(e));
    });
    // Named "error" events carry the server's reason; the EventSource's own error (no data) means the
    // connection dropped. EventSource would reconnect and replay, but a try-on stream cannot resume.
    source.addEventListener('error', (e) => {
      if (finished) return;
      const data = (e as MessageEvent<string>).data;
      finish();
      if (typeof data === 'string' && data.length > 0) {
        const body = JSON.parse(data) as { code?: string; message?: string };
        handlers.onError(new TryOnError(toWidgetErrorCode(body.code), body.message));
      } else {
        handlers.onError(new TryOnError('network'));
      }
    });
    return finish;
  }

  /** Cancels a running job; the server stops its work within one step. */
  async cancel(jobId: string): Promise<void> {
    await fetch(this.url(`/tryon/${encodeURIComponent(jobId)}`), { method: 'DELETE' }).catch(() => undefined);
  }
}
