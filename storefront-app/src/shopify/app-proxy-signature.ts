// App proxy requests (Shopify forwards /apps/tryon/* to /proxy/*) carry a `signature`: hex HMAC-SHA256 of the
// other query parameters sorted by name, joined without separators (repeated names joined by ","), with a
// `timestamp` no more than 90 s away. In standalone mode there is no Shopify and no signature: the demo shop.
import type { Shopify } from '@shopify/shopify-api';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

/** Who a shopper request is for; set on `res.locals.proxy` for the routes after this middleware. */
export interface ProxyContext {
  shop: string;
  /** Shopify's `logged_in_customer_id` (empty for guests). */
  customerId: string | null;
  /** Base URL the browser uses for these routes (`/apps/tryon` through Shopify, `/proxy` standalone). */
  base: string;
}

function queryOf(originalUrl: string): Record<string, string | string[]> {
  const params = new URL(originalUrl, 'http://x').searchParams;
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length > 1 ? values : values[0];
  }
  return out;
}

export function appProxyContext(shopify: Shopify | undefined, standaloneShop: string): RequestHandler {
  return async (req, res, next) => {
    if (!shopify) {
      res.locals.proxy = { shop: standaloneShop, customerId: null, base: '/proxy' } satisfies ProxyContext;
      return next();
    }
    const query = queryOf(req.originalUrl);
    if (typeof query.signature !== 'string') throw new UnauthorizedError('This request did not come through the store (no app proxy signature).');
    let valid: boolean;
    try {
      // The library's type says string values; repeated parameters are arrays, which it joins with ",".
      valid = await shopify.utils.validateHmac(query as Record<string, string>, { signator: 'appProxy' });
    } catch {
      valid = false; // malformed or stale timestamp
    }
    const shop = typeof query.shop === 'string' ? shopify.utils.sanitizeShop(query.shop) : null;
    if (!valid || !shop) throw new UnauthorizedError('The app proxy signature is invalid or too old.');
    const customer = typeof query.logged_in_customer_id === 'string' && query.logged_in_customer_id !== '' ? query.logged_in_customer_id : null;
    const base = typeof query.path_prefix === 'string' && query.path_prefix.startsWith('/') ? query.path_prefix.replace(/\/$/, '') : '/apps/tryon';
    res.locals.proxy = { shop, customerId: customer, base } satisfies ProxyContext;
    next();
  };
}
