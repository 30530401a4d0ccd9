// Admin GraphQL requests that respect Shopify's cost-based rate limit: each response's
// `extensions.cost.throttleStatus` tells how many points are left and how fast they come back; a request
// that would not fit waits first, and a THROTTLED answer is retried once enough points were restored.
import { GraphqlQueryError, type Session, type Shopify } from '@shopify/shopify-api';
import type { Logger } from 'pino';
import { z } from 'zod';

const throttleStatus = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number().positive(),
});
const costExtension = z.object({
  cost: z.object({ requestedQueryCost: z.number(), actualQueryCost: z.number().nullable().optional(), throttleStatus }),
});
type ThrottleStatus = z.infer<typeof throttleStatus>;

interface BodyWithErrors {
  errors?: { graphQLErrors?: { extensions?: { code?: string } }[] };
  extensions?: unknown;
}

export class AdminGraphqlError extends Error {}

export interface AdminGraphql {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export class ThrottledAdminGraphql implements AdminGraphql {
  private readonly client: InstanceType<Shopify['clients']['Graphql']>;
  private lastStatus: { status: ThrottleStatus; at: number } | undefined;
  private lastCost = 0;
  /** Throttle waits so far (the admin page and tests read it). */
  throttledWaits = 0;

  constructor(
    shopify: Shopify,
    session: Session,
    private readonly log: Logger,
    private readonly maxThrottledRetries = 8,
  ) {
    this.client = new shopify.clients.Graphql({ session });
  }

  async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.waitFor(this.lastCost);
      try {
        const response = await this.client.request(query, { variables });
        this.remember(response.extensions);
        if (!response.data) throw new AdminGraphqlError('Admin GraphQL answered without data');
        return response.data as T;
      } catch (err) {
        if (!(err instanceof GraphqlQueryError)) throw err;
        const body = err.body as BodyWithErrors | undefined;
        const throttled = body?.errors?.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED');
        if (!throttled || attempt >= this.maxThrottledRetries) throw new AdminGraphqlError(err.message);
        const cost = costExtension.safeParse(body?.extensions);
        const requested = cost.success ? cost.data.cost.requestedQueryCost : this.lastCost;
        this.remember(body?.extensions);
        this.throttledWaits++;
        this.log.info({ requested, available: this.lastStatus?.status.currentlyAvailable }, 'Admin API throttled; waiting for points to restore');
        await this.waitFor(requested, true);
      }
    }
  }

  private remember(extensions: unknown): void {
    const parsed = costExtension.safeParse(extensions);
    if (!parsed.success) return;
    this.lastStatus = { status: parsed.data.cost.throttleStatus, at: Date.now() };
    this.lastCost = parsed.data.cost.actualQueryCost ?? parsed.data.cost.requestedQueryCost;
  }

  /** Waits until `cost` points should be available again (bucket refills at restoreRate points a second). */
  private async waitFor(cost: number, afterThrottle = false): Promise<void> {
    if (!this.lastStatus) return;
    const { status, at } = this.lastStatus;
    const available = Math.min(status.maximumAvailable, status.currentlyAvailable + ((Date.now() - at) / 1000) * status.restoreRate);
    const missing = Math.min(cost, status.maximumAvailable) - available;
    if (missing <= 0 && !afterThrottle) return;
    // A small margin: the server's clock and ours do not tick together.
    const waitMs = Math.max(0, (missing / status.restoreRate) * 1000) + 50;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
