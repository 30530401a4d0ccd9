// The merchant admin: a page (HTML and its script, no data: nothing to protect) and a JSON API the script
// calls with the shop's session token (routes/admin-access.ts): products with their try-on switch and
// category, catalog sync, fine-tuning runs, usage.
import express, { Router, type Response } from 'express';
import fs from 'node:fs';
import { z } from 'zod';
import { effectiveCategory, normalizeProductId, tryOnCategories, type StoredProduct } from '../catalog/product.js';
import { utcDay } from '../db/usage-repository.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Services } from '../services.js';
import { renderAdmin } from '../views/admin-view.js';
import { adminAccess, checkLocalAdmin } from './admin-access.js';
import { allowShopifyAdminFraming } from './security-headers.js';

const ADMIN_SCRIPT = fs.readFileSync(new URL('../views/admin-client.js', import.meta.url), 'utf8');

const productChoice = z.object({
  productId: z.string().min(1).max(200),
  category: z.enum(['', ...tryOnCategories], { error: (i) => `category must be one of ${tryOnCategories.join(', ')} or empty, got "${String(i.input)}"` }),
  enabled: z.boolean(),
});

const shopOf = (res: Response): string => res.locals.adminShop as string;

const productView = (p: StoredProduct) => ({
  productId: p.productId,
  title: p.title,
  productType: p.productType,
  autoCategory: p.autoCategory,
  categoryOverride: p.categoryOverride,
  category: effectiveCategory(p),
  tryOnEnabled: p.tryOnEnabled,
});

export function adminRoutes(s: Services): Router {
  const router = Router();

  router.get('/admin', (req, res) => {
    if (s.shopify) {
      // Shopify appends the shop to the embedded app's URL; it only widens framing to that shop's own admin.
      const shop = typeof req.query.shop === 'string' ? s.shopify.utils.sanitizeShop(req.query.shop) : null;
      allowShopifyAdminFraming(res, shop);
    } else {
      checkLocalAdmin(req);
    }
    res.type('html').send(renderAdmin({ apiKey: s.shopify?.config.apiKey }));
  });
  router.get('/admin/admin.js', (_req, res) => {
    res.type('js').set('Cache-Control', 'no-cache').send(ADMIN_SCRIPT);
  });

  const api = Router();
  api.use(adminAccess(s), express.json({ limit: '16kb' }));
  api.get('/overview', async (_req, res) => {
    const shop = shopOf(res);
    const usage = await s.usage.recent(shop);
    res.json({
      shop,
      dailyQuota: s.config.dailyQuotaPerShop,
      today: usage.find((u) => u.day === utcDay(Date.now()))?.tryons ?? 0,
      usage,
      categories: tryOnCategories,
      products: (await s.products.list(shop)).map(productView),
      runs: await s.trainingRuns.list(shop),
      canSync: s.catalog !== undefined,
    });
  });
  api.post('/products', async (req, res) => {
    const parsed = productChoice.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError(parsed.error.issues[0].message);
    const { productId, category, enabled } = parsed.data;
    const shop = shopOf(res);
    const id = normalizeProductId(productId);
    if (!(await s.products.setMerchantChoice(shop, id, category === '' ? null : category, enabled))) {
      throw new NotFoundError('product_not_found', `No product "${productId}" in this shop.`);
    }
    const product = await s.products.get(shop, id);
    res.json({ product: product && productView(product) });
  });
  api.post('/sync', (_req, res) => {
    const shop = shopOf(res);
    if (!s.catalog) throw new BadRequestError('Catalog sync needs an installed Shopify store.');
    // A large catalog (bulk operation) takes minutes: the page polls the overview meanwhile.
    s.catalog.syncShop(shop).catch((err: unknown) => s.log.error({ err, shop }, 'catalog sync failed'));
    res.status(202).json({ started: true });
  });
  api.post('/fine-tune', async (_req, res) => {
    res.status(202).json({ runId: await s.fineTuning.start(shopOf(res)) });
  });
  router.use('/admin/api', api);
  return router;
}
