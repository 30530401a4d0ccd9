// GET /proxy/tryon/:job/events: the job's events as Server-Sent Events. Replays what already happened, follows
// until a terminal event, then closes. A browser that goes away before the end cancels the job.
import { Router, type Response } from 'express';
import type { TryOnEvent } from '../api/shopper-api.js';
import type { JobRecord } from '../db/job-repository.js';
import { findJob } from '../jobs/find-job.js';
import type { SequencedEvent } from '../jobs/live-job.js';
import { resultUrl } from '../jobs/tryon-jobs.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

const HEARTBEAT_MS = 15_000;

const writeEvent = (res: Response, { seq, event }: SequencedEvent) => {
  res.write(`event: ${event.type}\nid: ${seq}\ndata: ${JSON.stringify(event.data)}\n\n`);
};

/** What a job that is no longer in this process's memory (restart, long ago) ended as. */
function endingOf(job: JobRecord, base: string): TryOnEvent {
  if (job.status === 'succeeded') return { type: 'result', data: { resultUrl: resultUrl(base, job.id) } };
  if (job.status === 'cancelled') return { type: 'error', data: { code: 'cancelled', message: 'The try-on was cancelled.' } };
  return { type: 'error', data: { code: job.errorCode ?? 'internal', message: 'The try-on did not finish. Please try again.' } };
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
    if (!live) {
      writeEvent(res, { seq: 1, event: endingOf(record, proxy.base) });
      res.end();
      return;
    }
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    let ended = false;
    const unsubscribe = live.subscribe((e) => {
      writeEvent(res, e);
      if (e.event.type === 'result' || e.event.type === 'error') {
        ended = true;
        clearInterval(heartbeat);
        res.end();
      }
    });
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      if (!ended) services.tryOns.cancel(record.id, 'browser disconnected');
    });
  });
  return router;
}
