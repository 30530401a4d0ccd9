// The merchant admin page's script (served as /admin/admin.js, plain browser JavaScript). Every call to the
// admin API carries the shop's session token from App Bridge as `Authorization: Bearer`: a fresh one per
// request, since they live one minute. In the standalone demo there is no App Bridge and no token (the app
// then answers only this machine's own page). The DOM is built with textContent, never HTML strings.

/** @param {string} path @param {RequestInit} [init] */
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  const appBridge = /** @type {{ idToken?: () => Promise<string> } | undefined} */ (window.shopify);
  if (appBridge?.idToken) headers.set('Authorization', `Bearer ${await appBridge.idToken()}`);
  if (init.body) headers.set('Content-Type', 'application/json');
  const res = await fetch(`/admin/api${path}`, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error?.message ?? `The app answered HTTP ${res.status}.`);
  return body;
}

/** @param {string} tag @param {Record<string, string | boolean>} [attrs] @param {(Node | string)[]} [children] */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) node.setAttribute(name, '');
    else if (value !== false) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const notice = (text) => {
  document.getElementById('notice').textContent = text;
};

function table(headings, rows, empty) {
  const body = rows.length > 0 ? rows : [el('tr', {}, [el('td', { colspan: String(headings.length) }, [empty])])];
  return el('table', {}, [el('thead', {}, [el('tr', {}, headings.map((h) => el('th', {}, [h])))]), el('tbody', {}, body)]);
}

function productRow(p, categories) {
  const enabled = el('input', { type: 'checkbox', name: 'enabled', checked: p.tryOnEnabled });
  const select = el('select', { name: 'category' }, ['', ...categories].map((c) =>
    el('option', { value: c, selected: (p.categoryOverride ?? '') === c }, [c === '' ? `auto (${p.autoCategory})` : c])));
  const form = el('form', {}, [el('label', {}, [enabled, ' try-on on']), ' ', el('label', {}, ['category ', select]), ' ', el('button', {}, ['Save'])]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api('/products', { method: 'POST', body: JSON.stringify({ productId: p.productId, category: select.value, enabled: enabled.checked }) })
      .then(() => notice('Product saved.'), (err) => notice(err.message))
      .then(load);
  });
  return el('tr', {}, [el('td', {}, [p.title]), el('td', {}, [p.productType]), el('td', {}, [p.category]), el('td', {}, [form])]);
}

function button(label, onClick, disabled = false) {
  const b = el('button', { type: 'button', disabled }, [label]);
  b.addEventListener('click', onClick);
  return b;
}

let refresh;

function render(o) {
  const active = o.runs.some((r) => r.status === 'exporting' || r.status === 'training');
  const runs = o.runs.map((r) => el('tr', {}, [
    el('td', {}, [new Date(r.createdAt).toISOString()]),
    el('td', {}, [r.status]),
    el('td', {}, [el('progress', { max: '1', value: String(r.progress) }, [`${Math.round(r.progress * 100)}%`])]),
    el('td', {}, [r.message]),
  ]));
  document.getElementById('admin').replaceChildren(
    el('p', {}, [`Shop: ${o.shop}`]),
    el('h2', {}, ['Usage']),
    el('p', {}, [`Today: ${o.today} of ${o.dailyQuota} try-ons.`]),
    table(['Day', 'Try-ons'], o.usage.map((u) => el('tr', {}, [el('td', {}, [u.day]), el('td', {}, [String(u.tryons)])])), 'No try-ons yet.'),
    el('h2', {}, ['Products']),
    o.canSync ? button('Sync catalog now', () => api('/sync', { method: 'POST' }).then(() => notice('Catalog sync started.'), (err) => notice(err.message)).then(load)) : '',
    table(['Product', 'Type', 'Try-on category', 'Settings'], o.products.map((p) => productRow(p, o.categories)), 'No products synced yet.'),
    el('h2', {}, ['Fine-tuning on this catalog']),
    button('Start a fine-tuning run', () => api('/fine-tune', { method: 'POST' }).then(() => notice('Fine-tuning started.'), (err) => notice(err.message)).then(load), active),
    table(['Started', 'Status', 'Progress', 'Details'], runs, 'No runs yet.'),
  );
  // While a run goes on (or a sync may still be filling the catalog), the page follows its progress.
  clearTimeout(refresh);
  if (active || o.products.length === 0) refresh = setTimeout(load, 5000);
}

function load() {
  return api('/overview').then(render, (err) => {
    document.getElementById('admin').replaceChildren(el('p', { role: 'alert' }, [err.message]));
  });
}

load();
