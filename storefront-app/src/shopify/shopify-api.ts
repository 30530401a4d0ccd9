// The @shopify/shopify-api object for this app, built from the Shopify CLI's environment values.
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { Logger } from 'pino';
import type { ShopifyCredentials } from '../config.js';

export const SHOPIFY_API_VERSION = ApiVersion.October25;

export interface ShopifyApiOptions {
  /**
   * Replaces the fetch the library uses for Shopify's HTTP APIs (OAuth token exchange, Admin GraphQL).
   * The library's runtime adapter is process-wide, so this is too; tests point it at a local Shopify.
   */
  fetch?: typeof fetch;
}

export function createShopifyApi(creds: ShopifyCredentials, log: Logger, options: ShopifyApiOptions = {}): Shopify {
  if (options.fetch) setAbstractFetchFunc(options.fetch);
  const appUrl = new URL(creds.appUrl);
  return shopifyApi({
    apiKey: creds.apiKey,
    apiSecretKey: creds.apiSecret,
    scopes: creds.scopes,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === 'http:' ? 'http' : 'https',
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    logger: {
      level: LogSeverity.Warning,
      log: async (severity, message) => {
        if (severity <= LogSeverity.Error) log.error({ shopify: true }, message);
        else log.warn({ shopify: true }, message);
      },
    },
  });
}
