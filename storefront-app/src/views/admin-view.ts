// The merchant's admin page: products with their try-on switch and category, catalog sync, fine-tuning runs,
// usage. Plain HTML forms (they work inside the Shopify admin's iframe without App Bridge).
import { effectiveCategory, tryOnCategories, type StoredProduct } from '../catalog/product.js';
import type { TrainingRun } from '../db/training-run-repository.js';
import { esc, page } from './html.js';

export interface AdminViewModel {
  shop: string;
  token: string;
  products: StoredProduct[];
  runs: TrainingRun[];
  usage: { day: string; tryons: number }[];
  dailyQuota: number;
  notice?: string;
}

const hidden = (token: string) => (token ? `<input type="hidden" name="token" value="${esc(token)}">` : '');

function productRow(p: StoredProduct, token: string): string {
  const options = ['', ...tryOnCategories]
    .map((c) => `<option value="${c}"${(p.categoryOverride ?? '') === c ? ' selected' : ''}>${c === '' ? `auto (${esc(p.autoCategory)})` : esc(c)}</option>`)
    .join('');
  return `<tr><td>${esc(p.title)}</td><td>${esc(p.productType)}</td><td>${esc(effectiveCategory(p))}</td>
<td><form method="post" action="/admin/products">${hidden(token)}<input type="hidden" name="product_id" value="${esc(p.productId)}">
<label><input type="checkbox" name="enabled" value="on"${p.tryOnEnabled ? ' checked' : ''}> try-on on</label>
<label>category <select name="category">${options}</select></label> <button>Save</button></form></td></tr>`;
}

export function renderAdmin(m: AdminViewModel): string {
  const active = m.runs.some((r) => r.status === 'exporting' || r.status === 'training');
  const today = m.usage.find((u) => u.day === new Date().toISOString().slice(0, 10))?.tryons ?? 0;
  const body = `<h1>Virtual fitting room — ${esc(m.shop)}</h1>
${m.notice ? `<p role="status">${esc(m.notice)}</p>` : ''}
<h2>Usage</h2><p>Today: <strong>${today}</strong> of ${m.dailyQuota} try-ons.</p>
<table><thead><tr><th>Day</th><th>Try-ons</th></tr></thead><tbody>
${m.usage.map((u) => `<tr><td>${esc(u.day)}</td><td>${u.tryons}</td></tr>`).join('') || '<tr><td colspan="2">No try-ons yet.</td></tr>'}
</tbody></table>
<h2>Products</h2>
<form method="post" action="/admin/sync">${hidden(m.token)}<button>Sync catalog now</button></form>
<table><thead><tr><th>Product</th><th>Type</th><th>Try-on category</th><th>Settings</th></tr></thead><tbody>
${m.products.map((p) => productRow(p, m.token)).join('') || '<tr><td colspan="4">No products synced yet.</td></tr>'}
</tbody></table>
<h2>Fine-tuning on this catalog</h2>
<form method="post" action="/admin/fine-tune">${hidden(m.token)}<button${active ? ' disabled' : ''}>Start a fine-tuning run</button></form>
<table><thead><tr><th>Started</th><th>Status</th><th>Progress</th><th>Details</th></tr></thead><tbody>
${m.runs.map((r) => `<tr><td>${esc(new Date(r.createdAt).toISOString())}</td><td>${esc(r.status)}</td>
<td><progress max="1" value="${r.progress}">${Math.round(r.progress * 100)}%</progress></td><td>${esc(r.message)}</td></tr>`).join('') || '<tr><td colspan="4">No runs yet.</td></tr>'}
</tbody></table>`;
  // While a run is going, the page refreshes itself to show its progress.
  return page(`Try-on — ${m.shop}`, body, active ? '<meta http-equiv="refresh" content="5">' : '');
}
