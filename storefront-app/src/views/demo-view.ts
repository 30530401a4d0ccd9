// Demo store pages (standalone mode): a product grid and product pages with <tryon-widget>.
import { effectiveCategory, type StoredProduct } from '../catalog/product.js';
import { esc, page } from './html.js';

export function renderDemoHome(products: StoredProduct[]): string {
  const cards = products
    .map((p) => `<a class="card" href="/products/${esc(p.handle)}"><img src="${esc(p.imageUrl ?? '')}" alt="" width="512" height="512"><h2>${esc(p.title)}</h2></a>`)
    .join('');
  return page('Demo store — virtual fitting room', `<h1>Demo store</h1>
<p>A local catalog for trying the fitting room without a Shopify store. Open a product and press “Try it on”.</p>
<div class="products">${cards}</div>`);
}

export function renderDemoProduct(p: StoredProduct, widgetAvailable: boolean): string {
  const wearable = p.tryOnEnabled && effectiveCategory(p) !== 'not_wearable';
  const widget = !wearable
    ? '<p>Try-on is not available for this product.</p>'
    : widgetAvailable
      ? `<tryon-widget product-id="${esc(p.productId)}" endpoint="/proxy" product-title="${esc(p.title)}" product-image="${esc(p.imageUrl ?? '')}" privacy-url="/privacy"></tryon-widget>`
      : '<p>The try-on widget is not built yet: run <code>npm run widget:build</code>.</p>';
  return page(`${p.title} — demo store`, `<p><a href="/">← All products</a></p>
<div class="product"><img src="${esc(p.imageUrl ?? '')}" alt="${esc(p.title)}" width="512" height="512">
<div><h1>${esc(p.title)}</h1><p>${esc(p.description)}</p>${widget}</div></div>`,
  widgetAvailable ? '<script type="module" src="/widget/tryon-widget.js"></script>' : '');
}

/** The privacy text the widget's consent box links to (a Shopify store links its own policy page). */
export function renderPrivacyNotice(photoTtlHours: number): string {
  return page('How we handle your photo — demo store', `<p><a href="/">← All products</a></p>
<h1>How we handle your photo</h1>
<ul>
<li>Your photo is used only to show you wearing the product you chose. It is not used to train models.</li>
<li>Before it leaves your device it is made smaller; on our side all metadata (location, camera) is removed.</li>
<li>The photo and the picture made from it are deleted after ${photoTtlHours} hours at the latest, or straight away when you cancel.</li>
<li>They are never written to logs, and the store can delete them on your request.</li>
</ul>`);
}
