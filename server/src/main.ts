// `npm run server [-- --port 50051 --models-dir models ...]`: runs the inference server until SIGTERM / SIGINT,
// then drains gracefully and exits 0.
import { ConfigError } from './config.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const server = await startServer({}, { argv: process.argv.slice(2), waitForReady: false });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: draining (grace ${server.config.shutdownGraceMs} ms)\n`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
