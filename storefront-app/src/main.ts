// `npm run storefront`: the storefront app alone, configured from the environment.
import { ConfigError, loadConfig } from './config.js';
import { startStorefront } from './index.js';

try {
  const running = await startStorefront(loadConfig());
  const stop = () => {
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `storefront: ${err.message}` : err);
  process.exit(1);
}
