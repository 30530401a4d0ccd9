// Escaping for the few server-rendered pages (admin, demo); every interpolated value goes through `esc`.
export const esc = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const page = (title: string, body: string, head = ''): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
main{max-width:1040px;margin:0 auto;padding:24px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:8px;border-bottom:1px solid #ddd;text-align:left}
.products{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:24px}
.card{background:#fff;border-radius:8px;padding:12px;text-decoration:none;color:inherit;box-shadow:0 1px 3px #0002}
.card img,.product img{width:100%;border-radius:6px;background:#eee}
.product{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:32px}
progress{width:160px}
</style>${head}</head>
<body><main>${body}</main></body></html>`;
