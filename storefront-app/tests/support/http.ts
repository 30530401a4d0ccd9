// Small HTTP helpers for the tests: multipart try-on uploads and an SSE reader over fetch.
export interface UploadFields {
  photo?: Buffer;
  filename?: string;
  contentType?: string;
  product_id?: string;
  consent?: string;
}

export function tryOnForm(f: UploadFields): FormData {
  const form = new FormData();
  if (f.photo) form.append('photo', new Blob([new Uint8Array(f.photo)], { type: f.contentType ?? 'image/jpeg' }), f.filename ?? 'me.jpg');
  if (f.product_id !== undefined) form.append('product_id', f.product_id);
  if (f.consent !== undefined) form.append('consent', f.consent);
  return form;
}

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/** Reads an SSE response until the server closes it, or until `stopWhen` returns true (then aborts). */
export interface ReadSseOptions {
  stopWhen?: (e: SseEvent, all: SseEvent[]) => boolean;
  /** Called for each event as it arrives. */
  onEvent?: (e: SseEvent) => void;
  signal?: AbortSignal;
  /** Extra request headers (an EventSource reconnecting sends Last-Event-ID). */
  headers?: Record<string, string>;
}

export async function readSse(url: string, options: ReadSseOptions = {}): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort());
  const res = await fetch(url, { signal: controller.signal, headers: { Accept: 'text/event-stream', ...options.headers } });
  const events: SseEvent[] = [];
  if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
    return { status: res.status, contentType: res.headers.get('content-type'), events };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
        if (!fields.event) continue;
        const e: SseEvent = { event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') };
        events.push(e);
        options.onEvent?.(e);
        if (options.stopWhen?.(e, events)) {
          controller.abort();
          return { status: res.status, contentType: res.headers.get('content-type'), events };
        }
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events };
}
