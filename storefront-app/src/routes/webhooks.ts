// POST /webhooks: every topic, compliance topics included. The HMAC is checked on the raw body before anything
// is parsed or changed; an invalid one gets 401.
import type { Shopify } from '@shopify/shopify-api';
import express, { Router } from 'express';
import { BadRequestError, UnauthorizedError } from '../errors.js';
import type { Services } from '../services.js';
import { customerDataRequestPayload, customerRedactPayload, productPayload, shopPayload, shopRedactPayload } from '../shopify/webhook-payloads.js';

type Handler = (shop: string, body: unknown) => Promise<unknown>;

/**
 * The HMAC covers the body, not the X-Shopify-Shop-Domain header: where the body names the shop, it must be the
 * same one, or a signed delivery for one shop could be replayed against another.
 */
function sameShop(shop: string, named: string | undefined): void {
  if (named !== undefined && named !== shop) throw new UnauthorizedError(`webhook body is for ${named}, header says ${shop}`);
}

function handlers(s: Services): Record<string, Handler> {
  const product = (shop: string, body: unknown) => {
    const p = productPayload.parse(body);
    return s.catalog?.syncProduct(shop, p.admin_graphql_api_id ?? `gid://shopify/Product/${p.id}`) ?? Promise.resolve(false);
  };
  return {
    'products/create': product,
    'products/update': product,
    'products/delete': async (shop, body) => s.products.delete(shop, `gid://shopify/Product/${productPayload.parse(body).id}`),
    'app/uninstalled': async (shop, body) => {
      sameShop(shop, shopPayload.parse(body).myshopify_domain);
      s.tryOns.cancelWhere((j) => j.shop === shop, 'app uninstalled');
      return { sessionsDeleted: await s.sessions.deleteShop(shop) };
    },
    'customers/data_request': async (shop, body) => {
      const p = customerDataRequestPayload.parse(body);
      sameShop(shop, p.shop_domain);
      const report = await s.privacy.report(shop, p.customer.id);
      s.log.info({ shop, dataRequest: p.data_request?.id, tryOns: report.tryOns.length }, 'customer data request answered');
      return report;
    },
    'customers/redact': async (shop, body) => {
      const p = customerRedactPayload.parse(body);
      sameShop(shop, p.shop_domain);
      return { jobsDeleted: await s.privacy.redactCustomer(shop, p.customer.id) };
    },
    'shop/redact': async (shop, body) => {
      sameShop(shop, shopRedactPayload.parse(body).shop_domain);
      await s.privacy.redactShop(shop);
      return { shopDeleted: true };
    },
  };
}

export function webhooksRoute(services: Services, shopify: Shopify): Router {
  // The library reports topics in storage form: "customers/data_request" arrives as CUSTOMERS_DATA_REQUEST.
  const byTopic = Object.fromEntries(Object.entries(handlers(services)).map(([t, h]) => [t.toUpperCase().replace(/\/|\./g, '_'), h]));
  const router = Router();
  router.post('/webhooks', express.raw({ type: '*/*', limit: '2mb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = await shopify.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res });
    if (!check.valid) throw new UnauthorizedError(`webhook rejected: ${check.reason}`);
    const shop = shopify.utils.sanitizeShop(check.domain);
    if (!shop) throw new BadRequestError(`webhook for an invalid shop domain "${check.domain}"`);
    const handle = byTopic[check.topic];
    if (!handle) {
      services.log.info({ topic: check.topic, shop }, 'webhook topic not handled');
      res.status(200).json({ handled: false });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new BadRequestError('webhook body is not JSON');
    }
    const outcome = await handle(shop, body);
    services.log.info({ topic: check.topic, shop, webhookId: check.webhookId }, 'webhook handled');
    res.status(200).json({ handled: true, outcome });
  });
  return router;
}
