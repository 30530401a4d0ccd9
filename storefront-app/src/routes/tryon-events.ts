// GET /proxy/tryon/:job/events: the job's events as Server-Sent Events. Replays what already happened, follows
// until a terminal event, then closes. A browser that goes away before the end cancels the job.
import { Router, type Response } from 'express';
import { isTerminal, type TryOnEvent } from '@fitting-room/proto';
import type { JobRecord } from '../db/job-repository.js';
import { findJob } from '../jobs/find-job.js';
import type { LiveJob, SequencedEvent } from '../jobs/live-job.js';
import { resultUrl } from '../jobs/tryon-jobs.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

const HEARTBEAT_MS = 15_000;
const SHARED_POLL_MS = 500;

const writeEvent = (res: Response, { seq, event }: SequencedEvent) => {
  res.write(`event: ${event.type}\nid: ${seq}\ndata: ${JSON.stringify(event.data)}\n\n`);
};

/** What a job that is no longer in this process's memory (restart, long ago) ended as. */
function endingOf(job: JobRecord, base: string): TryOnEvent {
  if (job.status === 'succeeded') return { type: 'result', data: { resultUrl: resultUrl(base, job.id) } };
  if (job.status === 'cancelled') return { type: 'error', data: { code: 'cancelled', message: 'The try-on was cancelled.' } };
  return { type: 'error', data: { code: job.errorCode ?? 'internal', message: 'The try-on did not finish. Please try again.' } };
}

/** The job runs in this process: its full event stream. */
function followLive(services: Services, res: Response, live: LiveJob, jobId: string): void {
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let ended = false;
  const unsubscribe = live.subscribe((e) => {
    writeEvent(res, e);
    if (isTerminal(e.event)) {
      ended = true;
      clearInterval(heartbeat);
      res.end();
    }
  });
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    if (!ended) services.tryOns.cancel(jobId, 'browser disconnected');
  });
}

/**
 * The job runs in another app instance (several instances share Postgres), or ran before a restart: follow
 * its row. Only coarse events are known here (started, the ending); a disconnect marks the row cancelled and
 * the owning instance stops the job when it sees that.
 */
async function followShared(services: Services, res: Response, record: JobRecord, base: string): Promise<void> {
  await services.jobs.markWatched(record.id);
  let seq = 0;
  const send = (event: TryOnEvent) => writeEvent(res, { seq: ++seq, event });
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  let current: JobRecord | undefined = record;
  let sentStarted = false;
  while (current && !closed && (current.status === 'queued' || current.status === 'running')) {
    if (current.status === 'running' && !sentStarted) {
      send({ type: 'started', data: {} });
      sentStarted = true;
    }
    // Orphaned by a restart: nobody will finish it.
    if (Date.now() - current.createdAt > services.config.tryOnDeadlineMs) break;
    await new Promise((resolve) => setTimeout(resolve, SHARED_POLL_MS));
    current = await services.jobs.get(record.id);
  }
  const unfinished = current !== undefined && (current.status === 'queued' || current.status === 'running');
  if (closed) {
    if (unfinished) await services.jobs.setStatus(record.id, 'cancelled', 'cancelled');
    return;
  }
  if (unfinished && current) {
    await services.jobs.setStatus(record.id, 'failed', 'internal');
    current = { ...current, status: 'failed', errorCode: 'internal' };
  }
  send(current ? endingOf(current, base) : { type: 'error', data: { code: 'cancelled', message: 'The try-on was cancelled.' } });
  res.end();
}

export function tryOnEventsRoute(services: Services): Router {
  const router = Router();
  router.get('/tryon/:job/events', async (req, res) => {
    const proxy = res.locals.proxy as ProxyContext;
    const record = await findJob(services, proxy.shop, req.params.job);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();

    const live = services.tryOns.get(record.id);
    if (live) followLive(services, res, live, record.id);
    else await followShared(services, res, record, proxy.base);
  });
  return router;
}
