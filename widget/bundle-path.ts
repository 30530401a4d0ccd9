// Where `npm run widget:build` writes the widget's one ES module; the storefront app serves it to demo pages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WIDGET_BUNDLE_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist', 'tryon-widget.js');
