// Standalone demo store: `/`, `/products/:handle`, the drawn product pictures and the widget bundle.
import { Router } from 'express';
import fs from 'node:fs';
import { WIDGET_BUNDLE_PATH } from '@fitting-room/widget/bundle-path';
import { NotFoundError } from '../errors.js';
import type { DemoGarmentImages } from '../demo/demo-catalog.js';
import { DEMO_SHOP, type Services } from '../services.js';
import { renderDemoHome, renderDemoProduct, renderPrivacyNotice } from '../views/demo-view.js';

export function demoPageRoutes(s: Services, images: DemoGarmentImages, widgetBundle = WIDGET_BUNDLE_PATH): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.type('html').send(renderDemoHome(await s.products.list(DEMO_SHOP)));
  });
  router.get('/products/:handle', async (req, res) => {
    const product = await s.products.getByHandle(DEMO_SHOP, req.params.handle);
    if (!product) throw new NotFoundError('product_not_found', `No product "${req.params.handle}" in the demo store.`);
    res.type('html').send(renderDemoProduct(product, fs.existsSync(widgetBundle)));
  });
  router.get('/privacy', (_req, res) => {
    res.type('html').send(renderPrivacyNotice(s.config.photoTtlMs / 3_600_000));
  });
  router.get('/demo/images/:file', async (req, res) => {
    const image = images.loadByHandle(req.params.file.replace(/\.png$/, ''));
    if (!image) throw new NotFoundError('not_found', `No demo picture "${req.params.file}".`);
    res.type('png').set('Cache-Control', 'public, max-age=3600').send(await image);
  });
  router.get('/widget/tryon-widget.js', (_req, res) => {
    if (!fs.existsSync(widgetBundle)) throw new NotFoundError('not_found', 'The widget is not built: run npm run widget:build.');
    res.type('js').sendFile(widgetBundle);
  });
  return router;
}
