// DELETE /proxy/tryon/:job: stops the job and deletes its photo and result right away.
import { Router } from 'express';
import { findJob } from '../jobs/find-job.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

export function tryOnCancelRoute(services: Services): Router {
  const router = Router();
  router.delete('/tryon/:job', async (req, res) => {
    const { record } = await findJob(services, res.locals.proxy as ProxyContext, req.params.job);
    services.tryOns.cancel(record.id, 'cancelled by the shopper');
    await services.jobs.delete(record.id);
    res.status(204).end();
  });
  return router;
}
