// The parts of webhook bodies this app reads (Shopify sends REST-shaped JSON for every topic).
import { z } from 'zod';

const id = z.union([z.number(), z.string()]).transform(String);

export const productPayload = z.object({ id, admin_graphql_api_id: z.string().optional() });
export const customerRedactPayload = z.object({ shop_domain: z.string(), customer: z.object({ id }) });
export const customerDataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id }),
  data_request: z.object({ id }).optional(),
});
export const shopRedactPayload = z.object({ shop_domain: z.string() });
/** app/uninstalled sends the shop object. */
export const shopPayload = z.object({ id, myshopify_domain: z.string() });
