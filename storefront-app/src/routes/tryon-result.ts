// GET /proxy/tryon/:job/result: the finished image, private to the shopper's browser.
import { Router } from 'express';
import { ConflictError } from '../errors.js';
import { findJob } from '../jobs/find-job.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

export function tryOnResultRoute(services: Services): Router {
  const router = Router();
  router.get('/tryon/:job/result', async (req, res) => {
    const proxy = res.locals.proxy as ProxyContext;
    const job = await findJob(services, proxy.shop, req.params.job);
    const image = await services.photos.get(job.id, 'result');
    if (!image) throw new ConflictError('result_not_ready', 'The try-on image is not ready yet.');
    res.status(200).set({ 'Content-Type': image.mime, 'Cache-Control': 'private, no-store' }).send(image.bytes);
  });
  return router;
}
