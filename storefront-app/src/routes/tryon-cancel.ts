// DELETE /proxy/tryon/:job: stops the job and deletes its photo and result right away.
import { Router } from 'express';
import { findJob } from '../jobs/find-job.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

export function tryOnCancelRoute(services: Services): Router {
  const router = Router();
  router.delete('/tryon/:job', async (req, res) => {
    const proxy = res.locals.proxy as ProxyContext;
    const job = await findJob(services, proxy.shop, req.params.job);
    services.tryOns.cancel(job.id, 'cancelled by the shopper');
    await services.jobs.delete(job.id);
    res.status(204).end();
  });
  return router;
}
