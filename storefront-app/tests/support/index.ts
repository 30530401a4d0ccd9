// @fitting-room/storefront-app/testing: for end-to-end tests and benchmarks outside this package — a real
// Postgres on loopback (PGlite over the wire protocol) and Debian's Chromium.
export { startPostgres } from './postgres.js';
export { launchChromium, chromiumPath } from './chromium.js';
