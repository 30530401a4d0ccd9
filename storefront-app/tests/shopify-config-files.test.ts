// shopify.app.toml and the theme block must agree with the routes the app serves.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (p: string) => fs.readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

describe('shopify.app.toml', () => {
  const toml = read('shopify.app.toml');
  it('forwards /apps/tryon/* to the app\'s /proxy/*', () => {
    expect(toml).toMatch(/\[app_proxy\]\s*\nurl = "https:\/\/[^"]+\/proxy"\s*\nsubpath = "tryon"\s*\nprefix = "apps"/);
  });
  it('subscribes every handled topic, compliance topics included, to /webhooks', () => {
    for (const topic of ['app/uninstalled', 'products/create', 'products/update', 'products/delete', 'customers/data_request', 'customers/redact', 'shop/redact']) {
      expect(toml).toContain(`"${topic}"`);
    }
    expect(toml.match(/uri = "\/webhooks"/g)).toHaveLength(2);
    expect(toml).toMatch(/compliance_topics = \[ "customers\/data_request", "customers\/redact", "shop\/redact" \]/);
  });
  it('declares Shopify-managed installation (token exchange from the embedded admin), embedded, opening /admin', () => {
    expect(toml).toMatch(/\[access_scopes\][^[]*\nuse_legacy_install_flow = false/);
    expect(toml).toMatch(/\nembedded = true\n/);
    expect(toml).toMatch(/application_url = "https:\/\/[^"]+\/admin"/);
  });
  it('redirects OAuth to /auth/callback and asks only to read products', () => {
    expect(toml).toMatch(/redirect_urls = \[ "https:\/\/[^"]+\/auth\/callback" \]/);
    expect(toml).toMatch(/scopes = "read_products"/);
  });
});

describe('theme app extension block', () => {
  const liquid = read('extensions/tryon-block/blocks/tryon.liquid');
  it('renders <tryon-widget> with the product id, title and image, through the app proxy', () => {
    expect(liquid).toContain('product-id="{{ product.id }}"');
    expect(liquid).toContain('product-title="{{ product.title | escape }}"');
    expect(liquid).toMatch(/product-image="\{\{ product\.featured_image \| image_url/);
    expect(liquid).toMatch(/endpoint="[^"]*\/apps\/tryon"/);
    expect(liquid).toContain("{{ 'tryon-widget.js' | asset_url }}");
  });
  it('has a schema for the product template whose labels exist in the locale file', () => {
    const schema = JSON.parse(/\{% schema %\}([\s\S]*)\{% endschema %\}/.exec(liquid)?.[1] ?? '{}') as { templates: string[]; settings: { label: string }[]; name: string };
    expect(schema.templates).toEqual(['product']);
    const locale = JSON.parse(read('extensions/tryon-block/locales/en.default.json')) as Record<string, unknown>;
    const lookup = (key: string) => key.replace(/^t:/, '').split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], locale);
    for (const label of [schema.name, ...schema.settings.map((s) => s.label)]) expect(typeof lookup(label)).toBe('string');
  });
});
