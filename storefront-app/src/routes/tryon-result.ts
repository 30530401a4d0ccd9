// GET /proxy/tryon/:job/result: the finished image, private to the shopper's browser.
import { Router } from 'express';
import { AppError, ConflictError } from '../errors.js';
import { findJob } from '../jobs/find-job.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';

export function tryOnResultRoute(services: Services): Router {
  const router = Router();
  router.get('/tryon/:job/result', async (req, res) => {
    const { record, handle } = await findJob(services, res.locals.proxy as ProxyContext, req.params.job);
    const image = await services.photos.get(record.id, 'result', handle.secret);
    if (!image) {
      if (record.status === 'queued' || record.status === 'running') throw new ConflictError('result_not_ready', 'The try-on image is not ready yet.');
      // Failed, cancelled or interrupted: there will never be a picture, and waiting for one is pointless.
      throw new AppError(410, record.errorCode ?? 'internal', 'This try-on ended without a picture. Please start again.');
    }
    res.status(200).set({ 'Content-Type': image.mime, 'Cache-Control': 'private, no-store' }).send(image.bytes);
  });
  return router;
}
