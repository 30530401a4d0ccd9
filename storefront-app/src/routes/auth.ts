// OAuth install: GET /auth?shop=... redirects to Shopify's consent screen; Shopify sends the merchant back to
// GET /auth/callback, where the library checks the HMAC and state and trades the code for an offline token.
import { ShopifyError, type Shopify } from '@shopify/shopify-api';
import { Router } from 'express';
import { BadRequestError, UnauthorizedError } from '../errors.js';
import type { Services } from '../services.js';

export const CALLBACK_PATH = '/auth/callback';

export function authRoutes(services: Services, shopify: Shopify): Router {
  const router = Router();
  router.get('/auth', async (req, res) => {
    const shop = shopify.utils.sanitizeShop(String(req.query.shop ?? ''));
    if (!shop) throw new BadRequestError(`"${String(req.query.shop ?? '')}" is not a shop domain (expected name.myshopify.com)`);
    await shopify.auth.begin({ shop, callbackPath: CALLBACK_PATH, isOnline: false, rawRequest: req, rawResponse: res });
  });

  router.get(CALLBACK_PATH, async (req, res) => {
    let session;
    try {
      ({ session } = await shopify.auth.callback({ rawRequest: req, rawResponse: res }));
    } catch (err) {
      if (err instanceof ShopifyError) throw new UnauthorizedError(`OAuth callback rejected: ${err.message}`);
      throw err;
    }
    await services.sessions.storeSession(session);
    services.log.info({ shop: session.shop }, 'app installed (offline session stored)');
    // The first sync runs in the background: a large catalog can take minutes.
    services.catalog?.syncShop(session.shop).catch((err: unknown) => services.log.error({ err, shop: session.shop }, 'initial catalog sync failed'));
    const host = typeof req.query.host === 'string' ? req.query.host : undefined;
    res.redirect(host ? await shopify.auth.getEmbeddedAppUrl({ rawRequest: req, rawResponse: res }) : `/admin?shop=${encodeURIComponent(session.shop)}`);
  });
  return router;
}
