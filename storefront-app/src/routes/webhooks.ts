// POST /webhooks: every topic, compliance topics included. The HMAC is checked on the raw body before anything
// is parsed or changed; an invalid one gets 401. A delivery is handled once (by X-Shopify-Webhook-Id) and only
// while fresh (X-Shopify-Triggered-At); a body that is not the topic's shape is 400, so Shopify does not retry
// it for days.
import type { Shopify } from '@shopify/shopify-api';
import express, { Router } from 'express';
import { z } from 'zod';
import { WEBHOOK_MAX_AGE_MS } from '../db/webhook-delivery-repository.js';
import { BadRequestError, UnauthorizedError } from '../errors.js';
import type { Services } from '../services.js';
import { customerDataRequestPayload, customerRedactPayload, productPayload, shopPayload, shopRedactPayload } from '../shopify/webhook-payloads.js';

type Handler = (shop: string, body: unknown) => Promise<unknown>;

const BODY_LIMIT = '2mb';

function checkFresh(triggeredAt: string | undefined, now = Date.now()): void {
  const at = triggeredAt ? Date.parse(triggeredAt) : NaN;
  if (!Number.isFinite(at)) throw new BadRequestError('webhook without a valid X-Shopify-Triggered-At header');
  if (now - at > WEBHOOK_MAX_AGE_MS) throw new BadRequestError(`webhook triggered at ${triggeredAt} is older than 48 hours`);
}

/** Runs a topic's handler; a body that is not the topic's shape is the sender's error. */
async function handleShaped(handle: Handler, shop: string, body: unknown): Promise<unknown> {
  try {
    return await handle(shop, body);
  } catch (err) {
    if (err instanceof z.ZodError) throw new BadRequestError(`webhook body is not the topic's shape: ${err.issues[0]?.message ?? 'invalid'}`);
    throw err;
  }
}

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
  router.post('/webhooks', express.raw({ type: '*/*', limit: BODY_LIMIT }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = await shopify.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res });
    if (!check.valid) throw new UnauthorizedError(`webhook rejected: ${check.reason}`);
    const shop = shopify.utils.sanitizeShop(check.domain);
    if (!shop) throw new BadRequestError(`webhook for an invalid shop domain "${check.domain}"`);
    checkFresh(check.triggeredAt);
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
    if (!(await services.webhookDeliveries.claim(check.webhookId, shop, check.topic))) {
      services.log.info({ topic: check.topic, shop, webhookId: check.webhookId }, 'webhook already handled: duplicate delivery ignored');
      res.status(200).json({ handled: false, duplicate: true });
      return;
    }
    let outcome: unknown;
    try {
      outcome = await handleShaped(handle, shop, body);
    } catch (err) {
      await services.webhookDeliveries.release(check.webhookId);
      throw err;
    }
    services.log.info({ topic: check.topic, shop, webhookId: check.webhookId }, 'webhook handled');
    res.status(200).json({ handled: true, outcome });
  });
  return router;
}
