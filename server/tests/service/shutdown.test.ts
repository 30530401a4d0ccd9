// Graceful shutdown of the real `npm run server` entry point in a child process: SIGTERM drains, exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createTryOnClient, type TryOnClient } from '../../src/index.js';
import { checkHealth, generate, healthClient, linkedModelsDir } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Child {
  process: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts server/src/main.ts and resolves once it logs its port. */
function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, TRYON_PORT: '0', TRYON_HOST: '127.0.0.1', TRYON_METRICS_PORT: '-1', TRYON_BACKEND: 'wasm', TRYON_MODELS_DIR: linkedModelsDir(), TRYON_API_KEYS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"port":(\d+)[^\n]*"msg":"inference server listening"/.exec(buffered);
      if (match) resolve({ process: child, port: Number(match[1]), exited });
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
  });
}

async function healthStatus(port: number): Promise<string> {
  const client = healthClient(port);
  try {
    return await checkHealth(client);
  } finally {
    client.close();
  }
}

async function waitForHealth(port: number, wanted: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await healthStatus(port).catch(() => 'UNREACHABLE')) !== wanted) {
    if (Date.now() > deadline) throw new Error(`health never became ${wanted}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function connectTo(port: number): TryOnClient {
  return createTryOnClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

describe('graceful shutdown (SIGTERM)', () => {
  it('lets the running job finish, refuses new ones, reports NOT_SERVING, and exits 0', async () => {
    const child = await startChild({ TRYON_SHUTDOWN_GRACE_MS: '60000' });
    await waitForHealth(child.port, 'SERVING');
    const client = connectTo(child.port);
    let signalled = false;
    const running = generate(client, { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a hat', steps: 80, width: 32, height: 32, seed: 5 }, {
      onEvent: (event) => {
        if (!signalled && event.progress?.stage === 'denoising') {
          signalled = true;
          child.process.kill('SIGTERM');
        }
      },
    });
    await new Promise<void>((resolve) => {
      const poll = (): void => void (signalled ? resolve() : setTimeout(poll, 10));
      poll();
    });
    await waitForHealth(child.port, 'NOT_SERVING');
    const refused = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', steps: 1, width: 16, height: 16 });
    expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
    const { events, error } = await running;
    expect(error).toBeUndefined();
    expect(events.at(-1)?.event).toBe('result');
    client.close();
    expect(await child.exited).toBe(0);
  });

  it('cancels a job that outlasts the grace period, ends its stream with UNAVAILABLE, and exits 0', async () => {
    const child = await startChild({ TRYON_SHUTDOWN_GRACE_MS: '200' });
    await waitForHealth(child.port, 'SERVING');
    const client = connectTo(child.port);
    let signalled = false;
    let lastStep = 0;
    const { events, error } = await generate(client, { mode: 'MODE_TEXT_TO_IMAGE', steps: 150, width: 64, height: 64, seed: 5 }, {
      onEvent: (event) => {
        if (event.progress?.stage === 'denoising') lastStep = event.progress.step;
        if (!signalled && event.progress?.stage === 'denoising') {
          signalled = true;
          child.process.kill('SIGTERM');
        }
      },
    });
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toContain('shutting down');
    expect(events.some((e) => e.result)).toBe(false);
    expect(lastStep).toBeLessThan(150);
    client.close();
    expect(await child.exited).toBe(0);
  });
});
