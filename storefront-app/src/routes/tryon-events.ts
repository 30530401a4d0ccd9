// GET /proxy/tryon/:job/events: the job's events as Server-Sent Events. Replays what already happened (after
// Last-Event-ID when an EventSource reconnects), follows until a terminal event, then closes. When the last
// stream of a running job closes and none comes back within a short grace, the job is cancelled.
import { Router, type Request, type Response } from 'express';
import { isTerminal, type TryOnEvent } from '@fitting-room/proto';
import type { JobRecord } from '../db/job-repository.js';
import { findJob, type FoundJob } from '../jobs/find-job.js';
import type { LiveJob, SequencedEvent } from '../jobs/live-job.js';
import { INTERRUPTED, resultUrl } from '../jobs/tryon-jobs.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

const HEARTBEAT_MS = 15_000;
const SHARED_POLL_MS = 500;
/** Sent first: an EventSource that loses its connection comes back within the disconnect grace. */
const RECONNECT_MS = 1_000;

const writeEvent = (res: Response, { seq, event }: SequencedEvent) => {
  res.write(`event: ${event.type}\nid: ${seq}\ndata: ${JSON.stringify(event.data)}\n\n`);
};

const lastEventId = (req: Request): number => {
  const n = Number(req.get('Last-Event-ID'));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/** What a job that is no longer in this process's memory (restart, another instance, long ago) ended as. */
function endingOf(job: JobRecord, base: string, handle: string): TryOnEvent {
  if (job.status === 'succeeded') return { type: 'result', data: { resultUrl: resultUrl(base, handle) } };
  if (job.status === 'cancelled') return { type: 'error', data: { code: 'cancelled', message: 'The try-on was cancelled.' } };
  if (job.errorCode === INTERRUPTED.code) return { type: 'error', data: INTERRUPTED };
  return { type: 'error', data: { code: job.errorCode ?? 'internal', message: 'The try-on did not finish. Please try again.' } };
}

/** The job runs in this process: its full event stream. */
function followLive(services: Services, req: Request, res: Response, live: LiveJob): void {
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const unsubscribe = live.subscribe((e) => {
    writeEvent(res, e);
    if (isTerminal(e.event)) {
      clearInterval(heartbeat);
      res.end();
    }
  }, lastEventId(req));
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    services.tryOns.listenerLeft(live.id);
  });
}

/**
 * The job runs in another app instance (several instances share Postgres), or ran before a restart: follow
 * its row. Only coarse events are known here (started, the ending); a disconnect marks the row cancelled and
 * the owning instance stops the job when it sees that. A row whose instance stopped sending heartbeats is
 * failed here, at once, instead of waiting for the deadline.
 */
async function followShared(services: Services, res: Response, found: FoundJob, base: string): Promise<void> {
  const { record } = found;
  await services.jobs.markWatched(record.id);
  let seq = 0;
  const send = (event: TryOnEvent) => writeEvent(res, { seq: ++seq, event });
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const orphaned = (job: JobRecord) => Date.now() - (job.heartbeatAt ?? job.createdAt) > services.tryOns.orphanedAfterMs;
  let current: JobRecord | undefined = record;
  let sentStarted = false;
  while (current && !closed && (current.status === 'queued' || current.status === 'running')) {
    if (current.status === 'running' && !sentStarted) {
      send({ type: 'started', data: {} });
      sentStarted = true;
    }
    if (orphaned(current)) {
      await services.jobs.setStatus(record.id, 'failed', INTERRUPTED.code);
      current = await services.jobs.get(record.id);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, SHARED_POLL_MS));
    current = await services.jobs.get(record.id);
  }
  const unfinished = current !== undefined && (current.status === 'queued' || current.status === 'running');
  if (closed) {
    if (unfinished) await services.jobs.setStatus(record.id, 'cancelled', 'cancelled');
    return;
  }
  send(current ? endingOf(current, base, found.text) : { type: 'error', data: { code: 'cancelled', message: 'The try-on was cancelled.' } });
  res.end();
}

export function tryOnEventsRoute(services: Services): Router {
  const router = Router();
  router.get('/tryon/:job/events', async (req, res) => {
    const proxy = res.locals.proxy as ProxyContext;
    const found = await findJob(services, proxy, req.params.job);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n\n`);

    const live = services.tryOns.get(found.record.id);
    if (live) followLive(services, req, res, live);
    else await followShared(services, res, found, proxy.base);
  });
  return router;
}
