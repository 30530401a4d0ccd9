// App proxy requests (Shopify forwards /apps/tryon/* to /proxy/*) carry a `signature`: hex HMAC-SHA256 of the
// other query parameters sorted by name in byte order, each as `name=value` (repeated names' values joined by
// ","), concatenated without separators. A numeric `timestamp` no more than 90 s away is required. Verified here
// rather than by the library, whose check sorts by locale and lets a query without a timestamp through.
// In standalone mode there is no Shopify and no signature: the demo shop.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Shopify } from '@shopify/shopify-api';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

/** Who a shopper request is for; set on `res.locals.proxy` for the routes after this middleware. */
export interface ProxyContext {
  shop: string;
  /** Shopify's `logged_in_customer_id` (null for guests). */
  customerId: string | null;
  /** Base URL the browser uses for these routes (`/apps/tryon` through Shopify, `/proxy` standalone). */
  base: string;
}

export const MAX_CLOCK_SKEW_SECONDS = 90;

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The parameters by name, in the order Shopify signs them, without `signature`. */
function signedParams(params: URLSearchParams): [string, string[]][] {
  const names = [...new Set(params.keys())].filter((n) => n !== 'signature').sort(byteOrder);
  return names.map((n) => [n, params.getAll(n)]);
}

export function appProxySignatureValid(params: URLSearchParams, secret: string, nowSeconds = Date.now() / 1000): boolean {
  const signature = params.getAll('signature');
  const timestamp = params.getAll('timestamp');
  if (signature.length !== 1 || !/^[0-9a-f]{64}$/.test(signature[0])) return false;
  if (timestamp.length !== 1 || !/^\d{1,12}$/.test(timestamp[0])) return false;
  if (Math.abs(nowSeconds - Number(timestamp[0])) > MAX_CLOCK_SKEW_SECONDS) return false;
  const message = signedParams(params).map(([name, values]) => `${name}=${values.join(',')}`).join('');
  const expected = createHmac('sha256', secret).update(message, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature[0], 'hex'));
}

export function appProxyContext(shopify: Shopify | undefined, standaloneShop: string): RequestHandler {
  return async (req, res, next) => {
    if (!shopify) {
      res.locals.proxy = { shop: standaloneShop, customerId: null, base: '/proxy' } satisfies ProxyContext;
      return next();
    }
    const params = new URL(req.originalUrl, 'http://x').searchParams;
    if (!params.has('signature')) throw new UnauthorizedError('This request did not come through the store (no app proxy signature).');
    const shopParam = params.getAll('shop');
    const shop = shopParam.length === 1 ? shopify.utils.sanitizeShop(shopParam[0]) : null;
    if (!appProxySignatureValid(params, shopify.config.apiSecretKey) || !shop) {
      throw new UnauthorizedError('The app proxy signature is invalid or too old.');
    }
    const customerIds = params.getAll('logged_in_customer_id');
    const customer = customerIds.length === 1 && customerIds[0] !== '' ? customerIds[0] : null;
    const prefix = params.get('path_prefix');
    const base = prefix?.startsWith('/') ? prefix.replace(/\/$/, '') : '/apps/tryon';
    res.locals.proxy = { shop, customerId: customer, base } satisfies ProxyContext;
    next();
  };
}
