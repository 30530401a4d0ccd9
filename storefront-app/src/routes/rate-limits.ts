// Per-minute limits on starting try-ons: per shopper (logged-in customer, else IP) and per shop.
// They run after the app proxy middleware, so `res.locals.proxy` names the shop.
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { TooManyRequestsError } from '../errors.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';

export interface RateLimitSettings {
  perShopperPerMinute: number;
  perShopPerMinute: number;
}

export function tryOnRateLimits(settings: RateLimitSettings): RequestHandler[] {
  const common = { windowMs: 60_000, standardHeaders: 'draft-8' as const, legacyHeaders: false };
  const proxyOf = (res: { locals: Record<string, unknown> }) => res.locals.proxy as ProxyContext;
  return [
    rateLimit({
      ...common,
      limit: settings.perShopperPerMinute,
      keyGenerator: (req, res) => {
        const p = proxyOf(res);
        return `${p.shop}|${p.customerId ?? ipKeyGenerator(req.ip ?? 'unknown')}`;
      },
      handler: (_req, _res, next, options) => next(new TooManyRequestsError('rate_limited', 'Too many try-ons in a short time. Please wait a minute.', options.windowMs / 1000)),
    }),
    rateLimit({
      ...common,
      limit: settings.perShopPerMinute,
      keyGenerator: (_req, res) => proxyOf(res).shop,
      handler: (_req, _res, next, options) => next(new TooManyRequestsError('rate_limited', 'This store is very busy. Please try again in a minute.', options.windowMs / 1000)),
    }),
  ];
}
