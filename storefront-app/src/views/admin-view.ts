// The merchant admin page: a shell whose script (admin-client.js) loads and changes everything through the
// admin API. In the Shopify admin, App Bridge comes first (Shopify's requirement for embedded apps): it gives
// the script the session tokens it sends.
import { esc, page } from './html.js';

export const APP_BRIDGE_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';

export interface AdminViewModel {
  /** The app's API key in Shopify mode (App Bridge reads it); absent in the standalone demo. */
  apiKey?: string;
}

export function renderAdmin(m: AdminViewModel): string {
  const appBridge = m.apiKey ? `<meta name="shopify-api-key" content="${esc(m.apiKey)}"><script src="${APP_BRIDGE_URL}"></script>` : '';
  return page('Virtual fitting room — admin', `<h1>Virtual fitting room</h1>
<p id="notice" role="status"></p>
<div id="admin"><p>Loading…</p></div>`, `${appBridge}<script type="module" src="/admin/admin.js"></script>`);
}
