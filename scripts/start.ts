// `npm start`: the whole product on one machine, on the embedded default (no Shopify credentials,
// no downloaded weights): the gRPC inference server, the storefront app in standalone mode with its
// demo product pages, and the widget bundle they serve. Ctrl-C stops everything cleanly.
import path from 'node:path';
import { startServer } from '@fitting-room/server';
import { loadConfig, startStorefront } from '@fitting-room/storefront-app';
import { buildWidget } from '@fitting-room/widget/build';

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const running: Stoppable[] = [];
  const grpcPort = Number(process.env.TRYON_PORT ?? 50051);

  const { outfile } = await buildWidget();
  console.log(`widget: built ${path.relative(process.cwd(), outfile)}`);

  const server = await startServer({ port: grpcPort });
  running.push({ name: 'inference server', stop: () => server.stop() });
  console.log(`inference server: gRPC on localhost:${server.port}`);

  const storefront = await startStorefront(loadConfig({ TRYON_GRPC_ADDRESS: `localhost:${grpcPort}`, ...process.env }));
  running.push({ name: 'storefront app', stop: () => storefront.stop() });
  console.log(`\n  Open the demo store: ${storefront.url}\n`);

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
