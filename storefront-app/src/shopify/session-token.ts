// App Bridge session tokens: the embedded admin page gets one from `shopify.idToken()` and sends it as
// `Authorization: Bearer`. The library checks the HS256 signature (app secret), expiry, not-before and the
// audience (the API key); the token must also name one shop consistently (dest and iss).
import { RequestedTokenType, ShopifyError, type Shopify } from '@shopify/shopify-api';
import type { Logger } from 'pino';
import type { SqlSessionStorage } from '../db/session-storage.js';
import { UnauthorizedError } from '../errors.js';
import type { ShopCatalog } from './shop-catalog.js';

/** Tells App Bridge to fetch a fresh token and send the request again (Shopify's convention). */
const RETRY_HEADER = { 'X-Shopify-Retry-Invalid-Session-Request': '1' };

export interface VerifiedSessionToken {
  shop: string;
  token: string;
}

export async function verifySessionToken(shopify: Shopify, authorization: string | undefined): Promise<VerifiedSessionToken> {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthorizedError('No session token: open the app from the Shopify admin.', RETRY_HEADER);
  let payload: Awaited<ReturnType<Shopify['session']['decodeSessionToken']>>;
  try {
    payload = await shopify.session.decodeSessionToken(token);
  } catch {
    // The library's message quotes the token: it is not passed on.
    throw new UnauthorizedError('The session token is invalid or expired.', RETRY_HEADER);
  }
  const dest = typeof payload.dest === 'string' ? payload.dest : '';
  const shop = shopify.utils.sanitizeShop(dest.replace(/^https:\/\//, ''));
  if (!shop || dest !== `https://${shop}` || payload.iss !== `https://${shop}/admin`) {
    throw new UnauthorizedError('The session token does not name this shop.');
  }
  return { shop, token };
}

/**
 * The shop's offline access token, obtained by token exchange the first time its admin is opened (Shopify
 * installs the app itself: managed installation, shopify.app.toml). The first catalog sync starts then.
 */
export async function ensureOfflineSession(
  s: { shopify: Shopify; sessions: SqlSessionStorage; catalog?: ShopCatalog; log: Logger },
  { shop, token }: VerifiedSessionToken,
): Promise<void> {
  const existing = await s.sessions.loadSession(s.shopify.session.getOfflineId(shop));
  if (existing?.accessToken) return;
  let session;
  try {
    ({ session } = await s.shopify.auth.tokenExchange({ shop, sessionToken: token, requestedTokenType: RequestedTokenType.OfflineAccessToken }));
  } catch (err) {
    if (err instanceof ShopifyError) throw new UnauthorizedError(`Shopify refused the token exchange: ${err.message}`, RETRY_HEADER);
    throw err;
  }
  await s.sessions.storeSession(session);
  s.log.info({ shop }, 'app installed (offline session from token exchange)');
  s.catalog?.syncShop(shop).catch((err: unknown) => s.log.error({ err, shop }, 'initial catalog sync failed'));
}
