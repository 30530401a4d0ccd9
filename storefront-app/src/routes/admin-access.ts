// Who may use the merchant admin's API. Shopify: an App Bridge session token as `Authorization: Bearer`
// (never in a URL), exchanged for the shop's offline token on first use. Standalone demo (no credentials, no
// shop to authenticate against): only this machine, through a loopback Host (no DNS rebinding), and requests
// that change something must come from the page's own origin (no cross-site forms).
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import { DEMO_SHOP, type Services } from '../services.js';
import { ensureOfflineSession, verifySessionToken } from '../shopify/session-token.js';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const loopbackPeer = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

const hostnameOf = (host: string | undefined): string => (host ?? '').replace(/:\d+$/, '').toLowerCase();

export function checkLocalAdmin(req: Request): void {
  if (!loopbackPeer(req.socket.remoteAddress)) throw new ForbiddenError('The demo admin answers only on this machine.');
  if (!LOOPBACK_HOSTNAMES.has(hostnameOf(req.headers.host))) throw new ForbiddenError('The demo admin answers only at a loopback address.');
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.get('Origin');
  const sameOrigin = origin !== undefined ? origin === `http://${req.headers.host}` : req.get('Sec-Fetch-Site') === 'same-origin';
  if (!sameOrigin) throw new ForbiddenError('Changes to the demo admin must come from its own page.');
}

/** Sets `res.locals.adminShop` for the admin API routes after it. */
export function adminAccess(s: Services): RequestHandler {
  return async (req, res, next) => {
    if (!s.shopify) {
      checkLocalAdmin(req);
      res.locals.adminShop = DEMO_SHOP;
      return next();
    }
    const verified = await verifySessionToken(s.shopify, req.get('Authorization'));
    await ensureOfflineSession({ shopify: s.shopify, sessions: s.sessions, catalog: s.catalog, log: s.log }, verified);
    res.locals.adminShop = verified.shop;
    next();
  };
}
