// Bundles the widget into one ES module for storefronts: widget/dist/tryon-widget.js, and writes its Custom Elements
// Manifest, widget/custom-elements.json (committed: see manifest.ts).
// `npm run widget:build` prints the bundle's size, minified and gzipped.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { WIDGET_BUNDLE_PATH as widgetBundlePath } from './bundle-path.js';

const widgetDir = path.dirname(fileURLToPath(import.meta.url));

export async function buildWidget(): Promise<{ outfile: string; bytes: number; gzipBytes: number }> {
  await build({
    entryPoints: [path.join(widgetDir, 'src', 'index.ts')],
    outfile: widgetBundlePath,
    bundle: true,
    format: 'esm',
    target: 'es2021',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = readFileSync(widgetBundlePath);
  return { outfile: widgetBundlePath, bytes: code.length, gzipBytes: gzipSync(code).length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outfile, bytes, gzipBytes } = await buildWidget();
  console.log(`${path.relative(process.cwd(), outfile)}: ${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`);
  // Only here, not in buildWidget(): `npm start` and the browser tests bundle without loading the analyzer or
  // touching the committed manifest.
  const { writeManifest } = await import('./manifest.js');
  console.log(`${path.relative(process.cwd(), writeManifest())}: the Custom Elements Manifest`);
}
