// Auth, health, reflection and metrics of a real server with API keys configured.
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import { checkHealth as check, connect, generate, healthClient, listModels, startTestServer, withKey } from './helpers.js';

const KEY = 'test-key-123';
let server: RunningServer;
let client: TryOnClient;

interface ReflectionClient extends grpc.Client {
  ServerReflectionInfo(): grpc.ClientDuplexStream<{ list_services: string }, { list_services_response?: { service: { name: string }[] } }>;
}

const loaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

function reflectionClient(port: number): ReflectionClient {
  const require = createRequire(import.meta.url);
  const protoFile = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, loaderOptions)) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (address: string, creds: grpc.ChannelCredentials) => ReflectionClient } } };
  };
  return new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

beforeAll(async () => {
  server = await startTestServer({ apiKeys: `other-key, ${KEY}`, metricsPort: 0 });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

describe('auth', () => {
  it('refuses calls without a key or with a wrong one as UNAUTHENTICATED', async () => {
    await expect(listModels(client)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(listModels(client, {}, withKey('wrong'))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const stream = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', steps: 1, width: 16, height: 16 }, { metadata: withKey('wrong', 'x-api-key') });
    expect(stream.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(stream.events).toEqual([]);
  });

  it('accepts a configured key as a Bearer token or as x-api-key', async () => {
    expect((await listModels(client, {}, withKey(KEY))).models.length).toBeGreaterThan(0);
    expect((await listModels(client, {}, withKey('other-key', 'x-api-key'))).models.length).toBeGreaterThan(0);
    const { error, events } = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', steps: 1, width: 16, height: 16, seed: 3 }, { metadata: withKey(KEY) });
    expect(error).toBeUndefined();
    expect(events.at(-1)?.event).toBe('result');
  });
});

describe('health and reflection', () => {
  it('health is open without a key and SERVING once the default model is loaded', async () => {
    const health = healthClient(server.port);
    try {
      expect(await check(health, '')).toBe('SERVING');
      expect(await check(health, 'tryon.v1.TryOn')).toBe('SERVING');
    } finally {
      health.close();
    }
  });

  it('reflection lists the TryOn and health services', async () => {
    const reflection = reflectionClient(server.port);
    try {
      const call = reflection.ServerReflectionInfo();
      const reply = new Promise<string[]>((resolve, reject) => {
        call.on('data', (r: { list_services_response?: { service: { name: string }[] } }) => resolve((r.list_services_response?.service ?? []).map((s) => s.name)));
        call.on('error', reject);
      });
      call.write({ list_services: '' });
      const services = await reply;
      call.end();
      expect(services).toEqual(expect.arrayContaining(['tryon.v1.TryOn', 'grpc.health.v1.Health']));
    } finally {
      reflection.close();
    }
  });
});

describe('start-up and limits', () => {
  it('is NOT_SERVING until the default model is loaded, then SERVING', async () => {
    const starting = await startTestServer({}, { waitForReady: false });
    try {
      expect(starting.health.status).toBe('NOT_SERVING');
      await starting.ready;
      expect(starting.health.status).toBe('SERVING');
      const health = healthClient(starting.port);
      expect(await check(health, '')).toBe('SERVING');
      health.close();
    } finally {
      await starting.stop(0);
    }
  });

  it('refuses a request larger than the message size limit with RESOURCE_EXHAUSTED', async () => {
    const small = await startTestServer({ maxMessageBytes: 100_000 });
    const smallClient = connect(small);
    try {
      const { error } = await generate(smallClient, { mode: 'MODE_IMAGE_TO_IMAGE', init_image: Buffer.alloc(200_000, 7), steps: 1 });
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      smallClient.close();
      await small.stop(0);
    }
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics on the side port: queue depth, latency, steps, failures by code', async () => {
    const response = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('tryon_queue_depth{priority="interactive"} 0');
    expect(text).toMatch(/tryon_job_duration_seconds_count\{kind="generate",mode="MODE_TEXT_TO_IMAGE",outcome="succeeded"\} [1-9]/);
    expect(text).toMatch(/tryon_steps_total\{kind="generate"\} [1-9]/);
    expect(text).toMatch(/tryon_failures_total\{method="auth",code="UNAUTHENTICATED"\} [1-9]/);
    expect((await fetch(`http://127.0.0.1:${server.metricsPort}/other`)).status).toBe(404);
  });
});
