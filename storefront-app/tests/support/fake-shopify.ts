// A local Shopify for tests: real HTTP, Shopify's wire formats and real HMACs, for the parts the app talks to —
// OAuth (authorize redirect + access-token exchange), token exchange of App Bridge session tokens, Admin GraphQL
// with the cost-based rate limit (THROTTLED answers included) and bulk operations, a CDN for product images,
// webhook deliveries, app proxy signatures and the session tokens App Bridge hands the embedded admin.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface FakeProduct {
  id: number;
  handle: string;
  title: string;
  productType: string;
  tags: string[];
  description: string;
  variants?: string[];
}

export interface FakeShopifyOptions {
  apiKey: string;
  apiSecret: string;
  products?: FakeProduct[];
  /** The Admin API's leaky bucket: points available at most, and restored per second. */
  bucket?: { maximumAvailable: number; restoreRate: number };
}

interface GraphqlBody {
  query: string;
  variables?: Record<string, unknown>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Shopify's byte-order sort of query parameter names (not the locale's). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const OFFLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:offline-access-token';
export const ONLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:online-access-token';

export interface WebhookDeliveryOptions {
  secret?: string;
  webhookId?: string;
  triggeredAt?: string;
  /** The body exactly as sent (and signed), when it must not be `JSON.stringify(payload)`. */
  rawBody?: string;
}

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

export class FakeShopify {
  readonly products: FakeProduct[];
  readonly tokens = new Map<string, string>(); // access token -> shop
  /** Token exchanges Shopify answered (shop and requested token type). */
  readonly tokenExchanges: { shop: string; requestedTokenType: string }[] = [];
  private readonly codes = new Map<string, string>(); // authorization code -> shop
  /** What the Admin API saw: every operation name, and how many were answered THROTTLED. */
  readonly graphqlLog: { operation: string; throttled: boolean }[] = [];
  private bucket: { available: number; at: number };
  private bulk: { id: string; polls: number } | undefined;
  /** Called before each Admin GraphQL request is costed (tests use it to let "another app" spend the bucket). */
  beforeGraphql?: (operation: string, index: number) => void;
  private server!: http.Server;
  origin = '';

  constructor(private readonly o: FakeShopifyOptions) {
    this.products = o.products ?? [];
    this.bucket = { available: o.bucket?.maximumAvailable ?? 1000, at: Date.now() };
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => json(res, 500, { errors: String(err) }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The fetch the app's Shopify library uses: `https://<shop>.myshopify.com/...` goes to this server. */
  readonly fetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!url.hostname.endsWith('.myshopify.com')) return fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set('x-shop-domain', url.hostname);
    return fetch(`${this.origin}${url.pathname}${url.search}`, { ...init, headers });
  };

  imageUrl(handle: string): string {
    return `${this.origin}/cdn/${handle}.png`;
  }

  // ---- what Shopify sends to the app ----

  /**
   * Shopify's app proxy query for a storefront request: sorted `key=value` pairs (repeated keys' values joined
   * by ","), no separator, hex HMAC-SHA256 with the app secret.
   */
  proxyQuery(shop: string, extra: Record<string, string | string[]> = {}, timestamp: number | null = Math.floor(Date.now() / 1000)): URLSearchParams {
    const params: Record<string, string | string[]> = { shop, logged_in_customer_id: '', path_prefix: '/apps/tryon', ...(timestamp === null ? {} : { timestamp: String(timestamp) }), ...extra };
    return this.signProxyParams(params);
  }

  /** Signs exactly these parameters the way Shopify's app proxy does. */
  signProxyParams(params: Record<string, string | string[]>): URLSearchParams {
    const message = Object.keys(params).sort(byteOrder).map((k) => `${k}=${([] as string[]).concat(params[k]).join(',')}`).join('');
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const value of ([] as string[]).concat(v)) query.append(k, value);
    query.append('signature', createHmac('sha256', this.o.apiSecret).update(message).digest('hex'));
    return query;
  }

  /** A webhook delivery as Shopify makes it: JSON body, base64 HMAC-SHA256 of the raw body in a header. */
  async deliverWebhook(appUrl: string, topic: string, shop: string, payload: unknown, options: WebhookDeliveryOptions | string = {}): Promise<Response> {
    const o = typeof options === 'string' ? { secret: options } : options;
    const secret = o.secret ?? this.o.apiSecret;
    const body = o.rawBody ?? JSON.stringify(payload);
    return fetch(`${appUrl}/webhooks`, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/json',
        'X-Shopify-Topic': topic,
        'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'X-Shopify-Shop-Domain': shop,
        'X-Shopify-API-Version': '2025-10',
        'X-Shopify-Webhook-Id': o.webhookId ?? randomBytes(8).toString('hex'),
        'X-Shopify-Triggered-At': o.triggeredAt ?? new Date().toISOString(),
        'X-Shopify-Event-Id': randomBytes(8).toString('hex'),
      },
    });
  }

  /**
   * The session token App Bridge gives the embedded admin page (`shopify.idToken()`): a JWT signed HS256 with the
   * app secret, for the app (aud), the shop (dest) and issued by its admin (iss), valid for a minute.
   */
  sessionToken(shop: string, claims: Record<string, unknown> = {}, secret = this.o.apiSecret): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: this.o.apiKey, sub: '74565', exp: now + 60, nbf: now,
      iat: now, jti: randomBytes(16).toString('hex'), sid: randomBytes(16).toString('hex'), ...claims,
    };
    const signed = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
    return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
  }

  /** The claims of a session token this Shopify issued, or undefined when it is forged, expired or not for `shop`. */
  private verifiedSessionToken(token: string, shop: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = createHmac('sha256', this.o.apiSecret).update(`${header}.${payload}`).digest('base64url');
    if (expected !== signature) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== this.o.apiKey || claims.dest !== `https://${shop}` || Number(claims.exp) < now) return undefined;
    return claims;
  }

  /** The admin's signed query when a merchant opens the app (hmac over the sorted, &-joined query). */
  adminQuery(shop: string, timestamp = Math.floor(Date.now() / 1000)): URLSearchParams {
    const params = new URLSearchParams({ shop, host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'), timestamp: String(timestamp) });
    params.sort();
    params.set('hmac', createHmac('sha256', this.o.apiSecret).update(params.toString()).digest('hex'));
    return params;
  }

  // ---- Shopify's side ----

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const shop = String(req.headers['x-shop-domain'] ?? url.searchParams.get('shop') ?? '');
    if (req.method === 'GET' && url.pathname === '/admin/oauth/authorize') return this.authorize(shop, url, res);
    if (req.method === 'POST' && url.pathname === '/admin/oauth/access_token') return this.accessToken(shop, await readBody(req), res);
    if (req.method === 'POST' && /^\/admin\/api\/[\w-]+\/graphql\.json$/.test(url.pathname)) {
      const token = String(req.headers['x-shopify-access-token'] ?? '');
      if (this.tokens.get(token) !== shop) return json(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      return this.graphql(JSON.parse(await readBody(req)) as GraphqlBody, res);
    }
    const image = /^\/cdn\/(.+)\.png$/.exec(url.pathname);
    if (image) return this.productImage(image[1], res);
    if (url.pathname === '/bulk/catalog.jsonl') return void res.writeHead(200, { 'Content-Type': 'application/jsonl' }).end(this.bulkJsonl());
    json(res, 404, { errors: 'Not Found' });
  }

  /** The merchant approves the install: Shopify redirects to the app with a code and an HMAC-signed query. */
  private authorize(shop: string, url: URL, res: http.ServerResponse): void {
    if (url.searchParams.get('client_id') !== this.o.apiKey) return json(res, 400, { errors: 'unknown client_id' });
    const code = randomBytes(8).toString('hex');
    this.codes.set(code, shop);
    const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
    res.writeHead(302, { Location: `${redirect.toString()}?${this.signedCallbackQuery(shop, code, url.searchParams.get('state') ?? '')}` }).end();
  }

  signedCallbackQuery(shop: string, code: string, state: string): URLSearchParams {
    const params = new URLSearchParams({ code, host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'), shop, state, timestamp: String(Math.floor(Date.now() / 1000)) });
    params.sort();
    params.set('hmac', createHmac('sha256', this.o.apiSecret).update(params.toString()).digest('hex'));
    return params;
  }

  private accessToken(shop: string, raw: string, res: http.ServerResponse): void {
    const body = JSON.parse(raw) as { client_id?: string; client_secret?: string; code?: string; grant_type?: string };
    if (body.grant_type === TOKEN_EXCHANGE_GRANT) return this.tokenExchange(shop, JSON.parse(raw) as Record<string, string>, res);
    if (body.client_id !== this.o.apiKey || body.client_secret !== this.o.apiSecret || !body.code || this.codes.get(body.code) !== shop) {
      return json(res, 400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
    }
    this.codes.delete(body.code);
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, shop);
    json(res, 200, { access_token: token, scope: 'read_products' });
  }

  /** Token exchange (RFC 8693 as Shopify speaks it): an App Bridge session token for the shop's access token. */
  private tokenExchange(shop: string, body: Record<string, string>, res: http.ServerResponse): void {
    if (body.client_id !== this.o.apiKey || body.client_secret !== this.o.apiSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (body.subject_token_type !== ID_TOKEN_TYPE || ![OFFLINE_TOKEN_TYPE, ONLINE_TOKEN_TYPE].includes(body.requested_token_type)) {
      return json(res, 400, { error: 'invalid_request', error_description: 'Unsupported token types' });
    }
    const claims = this.verifiedSessionToken(body.subject_token ?? '', shop);
    if (!claims) return json(res, 400, { error: 'invalid_subject_token', error_description: 'The subject token is invalid, expired or not for this shop' });
    this.tokenExchanges.push({ shop, requestedTokenType: body.requested_token_type });
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, shop);
    if (body.requested_token_type === OFFLINE_TOKEN_TYPE) return json(res, 200, { access_token: token, scope: 'read_products' });
    json(res, 200, {
      access_token: token, scope: 'read_products', expires_in: 86399, associated_user_scope: 'read_products',
      associated_user: { id: Number(claims.sub), first_name: 'Merchant', last_name: 'Owner', email: 'owner@example.com', email_verified: true, account_owner: true, locale: 'en', collaborator: false },
    });
  }

  private throttleStatus() {
    const max = this.o.bucket?.maximumAvailable ?? 1000;
    const rate = this.o.bucket?.restoreRate ?? 50;
    const now = Date.now();
    this.bucket = { available: Math.min(max, this.bucket.available + ((now - this.bucket.at) / 1000) * rate), at: now };
    return { maximumAvailable: max, currentlyAvailable: Math.floor(this.bucket.available), restoreRate: rate };
  }

  private graphql(body: GraphqlBody, res: http.ServerResponse): void {
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? 'anonymous';
    const v = body.variables ?? {};
    const cost = operation === 'CatalogPage' ? 2 + Number(v.first ?? 0) * 2 : operation === 'StartCatalogBulk' ? 10 : 1;
    this.beforeGraphql?.(operation, this.graphqlLog.length);
    const status = this.throttleStatus();
    if (cost > status.currentlyAvailable) {
      this.graphqlLog.push({ operation, throttled: true });
      return json(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: status } },
      });
    }
    this.bucket.available -= cost;
    this.graphqlLog.push({ operation, throttled: false });
    const data = this.answer(operation, v);
    json(res, 200, { data, extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: { ...status, currentlyAvailable: Math.floor(this.bucket.available) } } } });
  }

  /** Another client of the same shop used `points` of the bucket. */
  spend(points: number): void {
    this.throttleStatus();
    this.bucket.available = Math.max(0, this.bucket.available - points);
  }

  private node(p: FakeProduct) {
    return {
      id: `gid://shopify/Product/${p.id}`,
      handle: p.handle,
      title: p.title,
      productType: p.productType,
      tags: p.tags,
      description: p.description,
      featuredMedia: { preview: { image: { url: this.imageUrl(p.handle) } } },
    };
  }

  private variants(p: FakeProduct) {
    return (p.variants ?? ['Default Title']).map((title, i) => ({ id: `gid://shopify/ProductVariant/${p.id * 100 + i}`, title }));
  }

  private answer(operation: string, v: Record<string, unknown>): unknown {
    switch (operation) {
      case 'ProductsCount':
        return { productsCount: { count: this.products.length } };
      case 'CatalogPage': {
        const start = v.after ? Number(Buffer.from(String(v.after), 'base64').toString()) : 0;
        const slice = this.products.slice(start, start + Number(v.first));
        const end = start + slice.length;
        return {
          products: {
            pageInfo: { hasNextPage: end < this.products.length, endCursor: slice.length ? Buffer.from(String(end)).toString('base64') : null },
            nodes: slice.map((p) => ({ ...this.node(p), variants: { nodes: this.variants(p) } })),
          },
        };
      }
      case 'ProductById': {
        const p = this.products.find((x) => `gid://shopify/Product/${x.id}` === v.id);
        return { product: p ? { ...this.node(p), variants: { nodes: this.variants(p) } } : null };
      }
      case 'StartCatalogBulk':
        this.bulk = { id: 'gid://shopify/BulkOperation/1', polls: 0 };
        return { bulkOperationRunQuery: { bulkOperation: { id: this.bulk.id, status: 'CREATED' }, userErrors: [] } };
      case 'BulkStatus': {
        if (!this.bulk || v.id !== this.bulk.id) return { node: null };
        const done = ++this.bulk.polls > 1;
        return {
          node: {
            id: this.bulk.id,
            status: done ? 'COMPLETED' : 'RUNNING',
            errorCode: null,
            objectCount: String(done ? this.products.length * 2 : 0),
            url: done ? `${this.origin}/bulk/catalog.jsonl` : null,
          },
        };
      }
      default:
        return null;
    }
  }

  private bulkJsonl(): string {
    return this.products
      .flatMap((p) => [JSON.stringify(this.node(p)), ...this.variants(p).map((x) => JSON.stringify({ ...x, __parentId: `gid://shopify/Product/${p.id}` }))])
      .join('\n');
  }

  private async productImage(handle: string, res: http.ServerResponse): Promise<void> {
    if (!this.products.some((p) => p.handle === handle)) return json(res, 404, { errors: 'Not Found' });
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40, g: 90, b: 160 } } }).png().toBuffer();
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
  }
}
