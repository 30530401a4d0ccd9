// `npm start`: the whole product on one machine, on the embedded default (no Shopify credentials,
// no downloaded weights): the gRPC inference server, the storefront app in standalone mode with its
// demo product pages, and the widget bundle they serve. Ctrl-C stops everything cleanly.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Imports an entry point if that part of the product exists yet, so the launcher grows with it. */
async function importPart<T>(relativePath: string): Promise<T | undefined> {
  const file = path.join(repoRoot, relativePath);
  if (!existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as T;
}

async function buildWidget(): Promise<void> {
  const widget = await importPart<{ buildWidget?: () => Promise<{ outfile: string }> }>('widget/build.ts');
  if (!widget?.buildWidget) {
    console.log('widget: not built yet (widget/build.ts missing) — demo pages show the product only');
    return;
  }
  const { outfile } = await widget.buildWidget();
  console.log(`widget: built ${path.relative(repoRoot, outfile)}`);
}

async function main(): Promise<void> {
  const running: Stoppable[] = [];
  const grpcPort = Number(process.env.TRYON_PORT ?? 50051);

  await buildWidget();

  const server = await importPart<{
    startServer: (overrides?: Record<string, unknown>) => Promise<{ port: number; stop(): Promise<void> }>;
  }>('server/src/index.ts');
  if (server) {
    const started = await server.startServer({ port: grpcPort });
    running.push({ name: 'inference server', stop: () => started.stop() });
    console.log(`inference server: gRPC on localhost:${started.port}`);
  } else {
    console.log('inference server: not present yet');
  }

  const storefront = await importPart<{
    loadConfig: (env: NodeJS.ProcessEnv) => unknown;
    startStorefront: (config: unknown) => Promise<{ url: string; stop(): Promise<void> }>;
  }>('storefront-app/src/index.ts');
  if (storefront) {
    const config = storefront.loadConfig({ TRYON_GRPC_ADDRESS: `localhost:${grpcPort}`, ...process.env });
    const started = await storefront.startStorefront(config);
    running.push({ name: 'storefront app', stop: () => started.stop() });
    console.log(`\n  Open the demo store: ${started.url}\n`);
  } else {
    console.log('storefront app: not present yet');
  }

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    for (const part of running.reverse()) {
      try {
        await part.stop();
        console.log(`stopped ${part.name}`);
      } catch (error) {
        console.error(`failed to stop ${part.name}:`, error);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
