// Builds the Express app from injected dependencies (database, gRPC client, logger, Shopify API object), so
// every test builds a fresh one. Shopify mode and standalone mode differ only in what is mounted.
import express, { type Express } from 'express';
import { DemoGarmentImages } from './demo/demo-catalog.js';
import { NotFoundError } from './errors.js';
import { adminRoutes } from './routes/admin-page.js';
import { authRoutes } from './routes/auth.js';
import { demoPageRoutes } from './routes/demo-pages.js';
import { errorHandler } from './routes/error-handler.js';
import { tryOnRateLimits } from './routes/rate-limits.js';
import { requestLog } from './routes/request-log.js';
import { securityHeaders } from './routes/security-headers.js';
import { tryOnCancelRoute } from './routes/tryon-cancel.js';
import { tryOnEventsRoute } from './routes/tryon-events.js';
import { tryOnResultRoute } from './routes/tryon-result.js';
import { tryOnStartRoute } from './routes/tryon-start.js';
import { webhooksRoute } from './routes/webhooks.js';
import { buildServices, DEMO_SHOP, type AppDeps, type Services } from './services.js';
import { appProxyContext } from './shopify/app-proxy-signature.js';

export type { AppDeps, Services } from './services.js';

export interface StorefrontApp {
  app: Express;
  services: Services;
  /**
   * Stops background work (sweeper, training) and interrupts running try-ons; settles once each has written
   * its ending to the database and its event streams. The caller then closes the server, the database and the
   * gRPC client.
   */
  shutdown(): Promise<void>;
}

export function createApp(deps: AppDeps): StorefrontApp {
  const demoImages = deps.shopify ? undefined : new DemoGarmentImages();
  const services = buildServices(deps, deps.garmentImages ?? demoImages);
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(deps.log));
  app.use(securityHeaders());

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, mode: deps.shopify ? 'shopify' : 'standalone' });
  });
  if (deps.shopify) {
    // Webhooks first: they need the raw body for the HMAC, before any body parser.
    app.use(webhooksRoute(services, deps.shopify));
    app.use(authRoutes(services, deps.shopify));
  }
  app.use(adminRoutes(services));

  const proxy = express.Router();
  proxy.use(appProxyContext(deps.shopify, DEMO_SHOP));
  proxy.post('/tryon', ...tryOnRateLimits(deps.config.rateLimits));
  proxy.use(tryOnStartRoute(services), tryOnEventsRoute(services), tryOnCancelRoute(services), tryOnResultRoute(services));
  app.use('/proxy', proxy);

  if (demoImages) app.use(demoPageRoutes(services, demoImages, deps.widgetBundle));
  app.use((req, _res, next) => next(new NotFoundError('not_found', `Nothing at ${req.method} ${req.path}.`)));
  app.use(errorHandler(deps.log));

  return {
    app,
    services,
    shutdown: async () => {
      services.sweeper.stop();
      services.fineTuning.stopAll();
      await services.tryOns.stopAll();
    },
  };
}
