// The merchant admin page and its form actions. With Shopify: opened from the admin with a signed query
// (verified by the library), then authorised by the page's own token. Standalone: the demo shop, no auth.
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { normalizeProductId, tryOnCategories } from '../catalog/product.js';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../errors.js';
import { DEMO_SHOP, type Services } from '../services.js';
import { issueAdminToken, verifyAdminToken } from '../shopify/admin-token.js';
import { renderAdmin } from '../views/admin-view.js';

const productChoice = z.object({
  product_id: z.string().min(1),
  category: z.enum(['', ...tryOnCategories], { error: (i) => `category must be one of ${tryOnCategories.join(', ')} or empty, got "${String(i.input)}"` }),
  enabled: z.literal('on').optional(),
});

type AdminAccess = { shop: string; token: string } | { install: string };

async function access(s: Services, req: Request): Promise<AdminAccess> {
  const shopify = s.shopify;
  if (!shopify) return { shop: DEMO_SHOP, token: '' };
  const secret = shopify.config.apiSecretKey;
  const token = (req.body as { token?: string } | undefined)?.token ?? (typeof req.query.token === 'string' ? req.query.token : undefined);
  if (token) {
    const shop = verifyAdminToken(secret, token);
    if (!shop) throw new UnauthorizedError('The admin page has expired: open the app again from the Shopify admin.');
    return { shop, token };
  }
  const query = Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const valid = query.hmac ? await shopify.utils.validateHmac(query).catch(() => false) : false;
  const shop = shopify.utils.sanitizeShop(query.shop ?? '');
  if (!valid || !shop) throw new UnauthorizedError('Open the app from the Shopify admin.');
  const session = await s.sessions.loadSession(shopify.session.getOfflineId(shop));
  if (!session) return { install: shop };
  return { shop, token: issueAdminToken(secret, shop) };
}

export function adminRoutes(s: Services): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const back = (token: string, notice: string) => `/admin?${new URLSearchParams(token ? { token, notice } : { notice })}`;

  router.get('/admin', async (req, res) => {
    const a = await access(s, req);
    if ('install' in a) return res.redirect(`/auth?shop=${encodeURIComponent(a.install)}`);
    // Embedded apps may be framed only by the shop's admin (Shopify's requirement for embedded apps).
    if (s.shopify) res.set('Content-Security-Policy', `frame-ancestors https://${a.shop} https://admin.shopify.com;`);
    res.type('html').send(renderAdmin({
      shop: a.shop,
      token: a.token,
      products: await s.products.list(a.shop),
      runs: await s.trainingRuns.list(a.shop),
      usage: await s.usage.recent(a.shop),
      dailyQuota: s.config.dailyQuotaPerShop,
      notice: typeof req.query.notice === 'string' ? req.query.notice : undefined,
    }));
  });

  router.post('/admin/products', form, async (req, res) => {
    const a = await access(s, req);
    if ('install' in a) throw new UnauthorizedError('The app is not installed on this shop.');
    const parsed = productChoice.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError(parsed.error.issues[0].message);
    const { product_id, category, enabled } = parsed.data;
    const found = await s.products.setMerchantChoice(a.shop, normalizeProductId(product_id), category === '' ? null : category, enabled === 'on');
    if (!found) throw new NotFoundError('product_not_found', `No product "${product_id}" in this shop.`);
    res.redirect(303, back(a.token, 'Product saved.'));
  });

  router.post('/admin/sync', form, async (req, res) => {
    const a = await access(s, req);
    if ('install' in a || !s.catalog) throw new BadRequestError('Catalog sync needs an installed Shopify store.');
    // A large catalog (bulk operation) takes minutes: the page reloads while it runs.
    s.catalog.syncShop(a.shop).catch((err: unknown) => s.log.error({ err, shop: a.shop }, 'catalog sync failed'));
    res.redirect(303, back(a.token, 'Catalog sync started: reload the page in a moment.'));
  });

  router.post('/admin/fine-tune', form, async (req, res) => {
    const a = await access(s, req);
    if ('install' in a) throw new UnauthorizedError('The app is not installed on this shop.');
    await s.fineTuning.start(a.shop);
    res.redirect(303, back(a.token, 'Fine-tuning started.'));
  });
  return router;
}
