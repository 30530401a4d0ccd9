// The bridge from SSE to gRPC: a real grpc-js server on loopback plays the inference server (scripted), the
// real app streams its events to a fetch-based SSE reader. Covers replay, disconnect → cancel, DELETE,
// error mapping, round-robin retries on another server, dns:/// names and the API key.
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { personPhoto } from './support/images.js';
import Database from 'better-sqlite3';
import { errorBody, sseEventData, startTryOnResponse } from '@fitting-room/proto';
import { readSse, tryOnForm, type SseEvent } from './support/http.js';
import { jobIdOf, storedImage } from './support/jobs.js';
import { reasonMetadata, refuse, resultPng, runUntilCancelled, startScriptedInference, succeed, type GenerateScript, type ScriptedInference } from './support/scripted-inference.js';
import { startTestApp, type TestApp, type TestAppOptions } from './support/test-app.js';

const startJob = async (app: TestApp, productId = 'demo-coral-crew-tee') => {
  const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: productId, consent: 'true' }) });
  expect(res.status).toBe(202);
  return startTryOnResponse.parse(await res.json());
};

/** Every event the app sends must match the published contract (API.md / shopper-api.ts). */
const checkContract = (events: SseEvent[]) => {
  for (const e of events) {
    expect(Object.keys(sseEventData)).toContain(e.event);
    sseEventData[e.event as keyof typeof sseEventData].strict().parse(e.data);
  }
};

const imageCount = (app: TestApp) => {
  const db = new Database(app.dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT (SELECT COUNT(*) FROM sealed_images) + (SELECT COUNT(*) FROM jobs) AS n').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** Queued and started, then waits for the test's release() before one step and the result (noting a cancel). */
function holdBeforeResult() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = { cancelled: false, release: () => release() };
  let ended = false;
  const script: GenerateScript = async (call) => {
    // grpc-js also reports a call the client closes after its end as cancelled: only a cancel before counts.
    call.on('cancelled', () => (state.cancelled ||= !ended));
    call.write({ queued: { position: 0, job_id: 'h1' } });
    call.write({ started: { job_id: 'h1' } });
    await released;
    if (state.cancelled) return;
    call.write({ progress: { step: 1, total_steps: 1, stage: 'denoising', preview_jpeg: Buffer.alloc(0) } });
    call.write({ result: { images_png: [await resultPng()], seeds: ['1'], job_id: 'h1', warnings: [] } });
    ended = true;
    call.end();
  };
  return Object.assign(state, { script });
}

const opened: { close(): Promise<void> }[] = [];
async function setup(inferenceScript: Parameters<typeof startScriptedInference>[0], options: TestAppOptions = {}) {
  const inference = await startScriptedInference(inferenceScript);
  const app = await startTestApp({ grpcAddress: inference.address, ...options });
  opened.push({ close: inference.stop }, app); // closed last-first: the app cancels its calls before the server stops
  return { inference, app };
}
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

describe('SSE stream of a try-on', () => {
  it('streams queued, started, progress (with a preview) and result, then serves the PNG', async () => {
    const { app, inference } = await setup(succeed(3));
    const job = await startJob(app);
    const { status, contentType, events } = await readSse(`${app.url}${job.eventsUrl}`);
    checkContract(events);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(events.map((e) => e.event)).toEqual(['queued', 'queued', 'started', 'progress', 'progress', 'progress', 'result']);
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(events[0].data).toEqual({ position: 1 });
    expect(events[1].data).toEqual({ position: 0 });
    expect(events[3].data).toEqual({ step: 1, totalSteps: 3 });
    const preview = events[4].data as { step: number; previewJpegBase64: string };
    expect(preview.step).toBe(2);
    expect(Buffer.from(preview.previewJpegBase64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(events[6].data).toEqual({ resultUrl: job.resultUrl });

    const result = await fetch(`${app.url}${job.resultUrl}`);
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('image/png');
    expect(result.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await result.arrayBuffer())).toEqual(await resultPng());
    expect((await app.services.jobs.get(jobIdOf(job.jobId)))?.status).toBe('succeeded');

    expect(await app.services.usage.today('demo.local')).toBe(1);
    expect(inference.received[0].personImageBytes).toBeGreaterThan(1000);
    expect(inference.received[0].garmentImageBytes).toBeGreaterThan(1000);

    // Nothing personal in the logs: neither the photo's bytes nor the preview.
    const photo = await storedImage(app.services, job.jobId, 'photo');
    const logText = app.logs.join('');
    expect(logText).toContain('try-on finished');
    expect(logText).not.toContain(photo?.bytes.toString('base64').slice(100, 160));
    expect(logText).not.toContain(preview.previewJpegBase64.slice(0, 60));
  });

  it("passes the inference server's warnings on in the result event, and logs them", async () => {
    const { app } = await setup(succeed(1, ['the product image has no plain backdrop: it was used uncut, backdrop included']));
    const job = await startJob(app);
    const { events } = await readSse(`${app.url}${job.eventsUrl}`);
    checkContract(events);
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { resultUrl: job.resultUrl, warnings: [expect.stringContaining('backdrop')] } });
    const line = app.logs.find((l) => l.includes('try-on finished with warnings'));
    expect(line).toContain('no plain backdrop');
  });

  it('replays the whole stream to a browser that connects after the end', async () => {
    const { app } = await setup(succeed(2));
    const job = await startJob(app);
    const first = await readSse(`${app.url}${job.eventsUrl}`);
    const again = await readSse(`${app.url}${job.eventsUrl}`);
    expect(again.events).toEqual(first.events);
    expect(again.events.at(-1)?.event).toBe('result');
  });

  it('cancels the gRPC call when the browser disconnects (and no stream comes back within the grace)', async () => {
    let cancelled = false;
    const { app } = await setup(runUntilCancelled(() => (cancelled = true)), { deps: { jobs: { disconnectGraceMs: 200 } } });
    const job = await startJob(app);
    const { events } = await readSse(`${app.url}${job.eventsUrl}`, { stopWhen: (e) => e.event === 'progress' });
    expect(events.map((e) => e.event)).toEqual(['queued', 'started', 'progress']);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    await expect.poll(async () => (await app.services.jobs.get(jobIdOf(job.jobId)))?.status).toBe('cancelled');
    const replay = await readSse(`${app.url}${job.eventsUrl}`);
    expect(replay.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
  });

  it('a second stream (another tab) closing does not cancel the job the first still follows', async () => {
    const held = holdBeforeResult();
    const { app } = await setup(held.script, { deps: { jobs: { disconnectGraceMs: 200 } } });
    const job = await startJob(app);
    const first = readSse(`${app.url}${job.eventsUrl}`);
    const second = await readSse(`${app.url}${job.eventsUrl}`, { stopWhen: (e) => e.event === 'started' });
    expect(second.events.map((e) => e.event)).toEqual(['queued', 'started']);
    // Well past the grace: the job must still be running for the first tab.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(held.cancelled).toBe(false);
    held.release();
    expect((await first).events.at(-1)?.event).toBe('result');
  });

  it('an EventSource reconnecting within the grace (Last-Event-ID) keeps the job and gets only the events it missed', async () => {
    const held = holdBeforeResult();
    const { app } = await setup(held.script, { deps: { jobs: { disconnectGraceMs: 2_000 } } });
    const job = await startJob(app);
    const before = await readSse(`${app.url}${job.eventsUrl}`, { stopWhen: (e) => e.event === 'started' });
    expect(before.events.map((e) => [e.id, e.event])).toEqual([['1', 'queued'], ['2', 'started']]);
    // The only stream is gone; the browser reconnects, saying what it saw last.
    const after = readSse(`${app.url}${job.eventsUrl}`, { headers: { 'Last-Event-ID': '2' } });
    await expect.poll(() => app.services.tryOns.get(jobIdOf(job.jobId))?.listenerCount).toBe(1);
    held.release();
    const resumed = await after;
    expect(resumed.events.map((e) => [e.id, e.event])).toEqual([['3', 'progress'], ['4', 'result']]);
    expect(held.cancelled).toBe(false);
  });

  it('DELETE cancels the job and deletes the photo', async () => {
    let cancelled = false;
    const { app } = await setup(runUntilCancelled(() => (cancelled = true)));
    const job = await startJob(app);
    const stream = readSse(`${app.url}${job.eventsUrl}`);
    await expect.poll(() => app.services.tryOns.get(jobIdOf(job.jobId))?.everSubscribed).toBe(true);
    const res = await fetch(`${app.url}/proxy/tryon/${job.jobId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect((await stream).events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect(await storedImage(app.services, job.jobId, 'photo')).toBeUndefined();
    expect((await fetch(`${app.url}${job.resultUrl}`)).status).toBe(404);
    expect((await fetch(`${app.url}/proxy/tryon/${job.jobId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 409 for a result that is not ready and 404 for unknown jobs', async () => {
    const { app } = await setup(runUntilCancelled(() => undefined));
    const job = await startJob(app);
    const notReady = await fetch(`${app.url}${job.resultUrl}`);
    expect(notReady.status).toBe(409);
    expect(((await notReady.json()) as { error: { code: string } }).error.code).toBe('result_not_ready');
    for (const path of ['/proxy/tryon/0123456789abcdef0123456789abcdef/events', '/proxy/tryon/not-a-job/result']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
    }
  });

  it('cancels a job whose events nobody opens', async () => {
    let cancelled = false;
    const { app } = await setup(runUntilCancelled(() => (cancelled = true)), { deps: { jobs: { unwatchedTimeoutMs: 300 } } });
    const job = await startJob(app);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect((await app.services.jobs.get(jobIdOf(job.jobId)))?.status).toBe('cancelled');
  });
});

describe('gRPC refusals as the upload\'s HTTP error', () => {
  const cases = [
    { name: 'RESOURCE_EXHAUSTED on every try', script: refuse(grpc.status.RESOURCE_EXHAUSTED, 'queue is full (16 waiting)'), status: 503, code: 'busy' },
    { name: 'INVALID_ARGUMENT: no person', script: refuse(grpc.status.INVALID_ARGUMENT, 'no person found in the photo', 'NO_PERSON'), status: 422, code: 'no_person' },
    { name: 'INVALID_ARGUMENT: several people', script: refuse(grpc.status.INVALID_ARGUMENT, '2 people found in the photo', 'SEVERAL_PEOPLE'), status: 422, code: 'several_people' },
    { name: 'INVALID_ARGUMENT: too small', script: refuse(grpc.status.INVALID_ARGUMENT, 'the person fills only 12%', 'PERSON_TOO_SMALL'), status: 422, code: 'person_too_small' },
    { name: 'INVALID_ARGUMENT: cut off', script: refuse(grpc.status.INVALID_ARGUMENT, 'the photo must show left hip', 'PERSON_CUT_OFF'), status: 422, code: 'person_cut_off' },
    { name: 'INVALID_ARGUMENT: too many pixels', script: refuse(grpc.status.INVALID_ARGUMENT, 'person_image is 9000x9000', 'IMAGE_TOO_LARGE'), status: 413, code: 'photo_too_large' },
    // Without a reason (an older server) only the status code counts: the sentence is not parsed.
    { name: 'INVALID_ARGUMENT: no reason', script: refuse(grpc.status.INVALID_ARGUMENT, 'no person found in the photo'), status: 422, code: 'bad_image' },
    { name: 'INVALID_ARGUMENT: other', script: refuse(grpc.status.INVALID_ARGUMENT, 'person_image: not a JPEG, PNG or WebP file', 'BAD_IMAGE'), status: 422, code: 'bad_image' },
    { name: 'FAILED_PRECONDITION: engine not installed', script: refuse(grpc.status.FAILED_PRECONDITION, 'the diffusion engine needs an inpainting model'), status: 503, code: 'unavailable' },
    { name: 'INTERNAL', script: refuse(grpc.status.INTERNAL, 'internal error; see the server log'), status: 500, code: 'internal' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const { app, inference } = await setup(c.script, { config: { tryOnDeadlineMs: 1_500 } });
      const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-coral-crew-tee', consent: 'true' }) });
      expect(res.status).toBe(c.status);
      const { error } = errorBody.parse(await res.json());
      expect(error.code).toBe(c.code);
      expect(error.message).not.toMatch(/grpc|status|internal error/i);
      // Only "busy" is worth another try (within the deadline); a bad photo is not.
      if (c.code === 'busy') expect(inference.received.length).toBeGreaterThan(1);
      else expect(inference.received.length).toBe(1);
      // Nothing of a refused try-on is kept: no job row, no photo.
      expect(imageCount(app)).toBe(0);
    });
  }

  it('no inference server listening → 503 unavailable', async () => {
    const app = await startTestApp({ grpcAddress: '127.0.0.1:1', config: { tryOnDeadlineMs: 1_000 } });
    opened.push(app);
    const res = await fetch(`${app.url}/proxy/tryon`, { method: 'POST', body: tryOnForm({ photo: personPhoto(), product_id: 'demo-coral-crew-tee', consent: 'true' }) });
    expect(res.status).toBe(503);
    expect(errorBody.parse(await res.json()).error.code).toBe('unavailable');
  });

  it('an error after the job was queued arrives as an SSE error event', async () => {
    const { app } = await setup(async (call) => {
      call.write({ queued: { position: 0, job_id: 'j9' } });
      call.write({ started: { job_id: 'j9' } });
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'no person found in the photo (2 body points visible)', metadata: reasonMetadata('NO_PERSON') });
    });
    const job = await startJob(app);
    const { events } = await readSse(`${app.url}${job.eventsUrl}`);
    checkContract(events);
    expect(events.map((e) => e.event)).toEqual(['queued', 'started', 'error']);
    expect(events[2].data).toMatchObject({ code: 'no_person' });
    expect((await app.services.jobs.get(jobIdOf(job.jobId)))?.errorCode).toBe('no_person');
  });
});

describe('several inference servers', () => {
  let busy: ScriptedInference;
  let ready: ScriptedInference;
  beforeAll(async () => {
    busy = await startScriptedInference(refuse(grpc.status.RESOURCE_EXHAUSTED, 'queue is full'));
    ready = await startScriptedInference(succeed(1));
  });
  afterAll(async () => {
    await busy.stop();
    await ready.stop();
  });

  it('balances round-robin and retries a refused job on the other server', async () => {
    // Two addresses behind one target: the same grpc-js resolver → round_robin path a dns:/// name with two
    // A records takes (loopback has only one address for a name, so the list is given directly).
    const app = await startTestApp({ grpcAddress: `ipv4:127.0.0.1:${busy.port},127.0.0.1:${ready.port}`, config: { tryOnDeadlineMs: 20_000 } });
    opened.push(app);
    for (let i = 0; i < 4; i++) {
      const job = await startJob(app);
      const { events } = await readSse(`${app.url}${job.eventsUrl}`);
      expect(events.at(-1)?.event).toBe('result');
    }
    expect(ready.received.length).toBe(4);
    // Round-robin sent some first attempts to the busy server; each was retried on the other.
    expect(busy.received.length).toBeGreaterThan(0);
  });

  it('resolves a dns:/// name and sends the API key', async () => {
    const app = await startTestApp({ grpcAddress: `dns:///localhost:${ready.port}`, env: { TRYON_API_KEY: 'k-123' } });
    opened.push(app);
    const before = ready.received.length;
    const job = await startJob(app);
    const { events } = await readSse(`${app.url}${job.eventsUrl}`);
    expect(events.at(-1)?.event).toBe('result');
    expect(ready.received.length).toBe(before + 1);
    expect(ready.received.at(-1)?.authorization).toBe('Bearer k-123');
  });
});
