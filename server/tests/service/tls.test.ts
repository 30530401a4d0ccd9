// Optional TLS: with a certificate and key configured, the server speaks TLS only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createTryOnClient, type RunningServer } from '../../src/index.js';
import { listModels, startTestServer } from './helpers.js';

const tlsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tls');
let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer({ tlsCertPath: path.join(tlsDir, 'cert.pem'), tlsKeyPath: path.join(tlsDir, 'key.pem') });
});

afterAll(async () => {
  await server?.stop(0);
});

describe('TLS', () => {
  it('serves a client that trusts the certificate', async () => {
    const client = createTryOnClient(`localhost:${server.port}`, grpc.credentials.createSsl(fs.readFileSync(path.join(tlsDir, 'cert.pem'))));
    try {
      expect((await listModels(client)).models.length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it('refuses a plaintext client', async () => {
    const client = createTryOnClient(`localhost:${server.port}`, grpc.credentials.createInsecure());
    try {
      await expect(listModels(client)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      client.close();
    }
  });

  it('needs both the certificate and the key', async () => {
    await expect(startTestServer({ tlsCertPath: path.join(tlsDir, 'cert.pem') })).rejects.toThrow(/TLS needs both/);
  });
});
