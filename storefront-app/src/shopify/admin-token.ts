// The admin page's own short-lived token: it proves the page was opened by a verified request from Shopify's
// admin for this shop, so its forms can post back without repeating Shopify's HMAC query.
import { createHmac, timingSafeEqual } from 'node:crypto';

const TOKEN_LIFETIME_MS = 60 * 60_000;

const sign = (secret: string, shop: string, expires: number) => createHmac('sha256', secret).update(`admin:${shop}:${expires}`).digest('hex');

export function issueAdminToken(secret: string, shop: string, now = Date.now()): string {
  const expires = now + TOKEN_LIFETIME_MS;
  return `${shop}~${expires}~${sign(secret, shop, expires)}`;
}

/** The shop the token was issued for, or undefined when it is forged or expired. */
export function verifyAdminToken(secret: string, token: string, now = Date.now()): string | undefined {
  const [shop, expiresText, mac] = token.split('~');
  const expires = Number(expiresText);
  if (!shop || !mac || !Number.isFinite(expires) || expires < now) return undefined;
  const expected = Buffer.from(sign(secret, shop, expires));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? shop : undefined;
}
