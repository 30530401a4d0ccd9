// The whole product for browser tests, as deployed: the real inference server in its own process (gRPC on
// loopback; its compute must not stall the app or the browser driver), the storefront app in standalone mode
// (real SQLite file) serving its demo pages, and the widget bundle built from source.
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createTryOnClient } from '@fitting-room/server';
import { loadConfig, startStorefront, type RunningStorefront } from '@fitting-room/storefront-app';
import { buildWidget } from '@fitting-room/widget/build';
import { startInferenceProcess, type InferenceProcess } from '@fitting-room/server/testing';

const API_KEY = 'widget-test-key';

export interface ProductStack {
  url: string;
  inference: InferenceProcess;
  storefront: RunningStorefront;
  /** A gRPC client of the inference server with the stack's API key, for driving it beside the browser. */
  grpcClient(): { client: ReturnType<typeof createTryOnClient>; metadata: grpc.Metadata };
  stopInference(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProductStackOptions {
  /** The shopper's deadline for one try-on (the storefront retries an unavailable server until then). */
  tryOnDeadlineMs?: number;
}

export async function startProductStack(options: ProductStackOptions = {}): Promise<ProductStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tryon-widget-'));
  await buildWidget();
  const inference = await startInferenceProcess({ TRYON_DATA_DIR: path.join(dataDir, 'server'), TRYON_BACKEND: 'wasm' }, API_KEY);
  const config = loadConfig(
    {
      PORT: '0',
      TRYON_GRPC_ADDRESS: `127.0.0.1:${inference.port}`,
      TRYON_API_KEY: API_KEY,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'storefront.sqlite')}`,
    },
    dataDir,
  );
  const storefront = await startStorefront(
    { ...config, tryOnDeadlineMs: options.tryOnDeadlineMs ?? config.tryOnDeadlineMs },
    { host: '127.0.0.1', log: pino({ level: 'silent' }) },
  );
  let inferenceStopped = false;
  const stopInference = async (): Promise<void> => {
    if (inferenceStopped) return;
    inferenceStopped = true;
    await inference.stop();
  };
  return {
    url: storefront.url,
    inference,
    storefront,
    grpcClient: () => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${API_KEY}`);
      return { client: createTryOnClient(`127.0.0.1:${inference.port}`, grpc.credentials.createInsecure()), metadata };
    },
    stopInference,
    stop: async () => {
      await storefront.stop();
      await stopInference();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
