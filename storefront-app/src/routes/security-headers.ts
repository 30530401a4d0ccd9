// Security headers on every response (helmet): a CSP that allows only this origin's scripts, no framing,
// nosniff, no referrer. The embedded admin page alone may be framed, by the Shopify admin, and loads App Bridge
// from Shopify's CDN.
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

const directives = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  // The pages' one <style> block and the widget's inline positions (compare slider).
  styleSrc: ["'self'", "'unsafe-inline'"],
  // Previews arrive as data: URLs; the widget shows the shopper's downscaled photo from a blob: URL.
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The admin page inside the Shopify admin's iframe: framed by the shop's admin, App Bridge from the CDN. */
export function allowShopifyAdminFraming(res: Response, shop: string | null): void {
  const csp = {
    ...directives,
    scriptSrc: ["'self'", 'https://cdn.shopify.com'],
    connectSrc: ["'self'", 'https://cdn.shopify.com', 'https://*.shopify.com'],
    frameAncestors: [...(shop ? [`https://${shop}`] : []), 'https://admin.shopify.com'],
  };
  const header = Object.entries(csp)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; ');
  res.set('Content-Security-Policy', header);
  // frame-ancestors decides; X-Frame-Options has no value that allows another origin.
  res.removeHeader('X-Frame-Options');
}
