// POST /proxy/tryon: a shopper's photo and a product in, a job id out (202). Consent is checked before the
// photo is looked at; the photo is decoded, cleaned and resized before anything stores or sends it.
import { Router } from 'express';
import { startTryOnFields, type StartTryOnResponse } from '@fitting-room/proto';
import { effectiveCategory, normalizeProductId } from '../catalog/product.js';
import { BadRequestError, NotFoundError, ServiceUnavailableError, tryOnFailure } from '../errors.js';
import { preparePhoto } from '../photos/prepare-photo.js';
import { resultUrl } from '../jobs/tryon-jobs.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import type { Services } from '../services.js';
import { photoUpload } from './upload.js';

export function tryOnStartRoute(services: Services): Router {
  const router = Router();
  router.post('/tryon', photoUpload(), async (req, res) => {
    const proxy = res.locals.proxy as ProxyContext;
    const parsed = startTryOnFields.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BadRequestError(issue.message, issue.path[0] === 'consent' ? 'consent_required' : 'bad_request');
    }
    if (!req.file) throw new BadRequestError('Add a photo (multipart field "photo").', 'missing_photo');

    const product = await services.products.get(proxy.shop, normalizeProductId(parsed.data.product_id));
    if (!product) throw new NotFoundError('product_not_found', `No product "${parsed.data.product_id}" in this store.`);
    const category = effectiveCategory(product);
    if (!product.tryOnEnabled || category === 'not_wearable') {
      throw new NotFoundError('product_not_wearable', `Try-on is not available for "${product.title}".`);
    }
    await services.quota.check(proxy.shop);

    const photo = await preparePhoto(req.file.buffer);
    let garmentImage: Buffer;
    try {
      garmentImage = await services.garmentImages.load(product);
    } catch (err) {
      services.log.error({ err, productId: product.productId }, 'product image unavailable');
      throw new ServiceUnavailableError('unavailable', 'The product image could not be loaded. Please try again later.');
    }
    const { handle, refused } = await services.tryOns.start({
      shop: proxy.shop,
      customerId: proxy.customerId,
      productId: product.productId,
      category,
      garmentTitle: product.title,
      garmentDescription: product.description,
      garmentImage,
      photo,
      urlBase: proxy.base,
    });
    // Refused at once by the inference server: this request's error rather than a stream that fails at once.
    if (refused) throw tryOnFailure(refused.code, refused.message);
    const body: StartTryOnResponse = { jobId: handle, eventsUrl: `${proxy.base}/tryon/${handle}/events`, resultUrl: resultUrl(proxy.base, handle) };
    res.status(202).json(body);
  });
  return router;
}
