// Real processes for the restart tests: the storefront app (src/main.ts, as `npm run storefront` runs it) and the
// inference server (@fitting-room/server's main), each killable with any signal and restartable on the same port.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTryOnClient } from '@fitting-room/proto';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx');
const STOREFRONT_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const SERVER_MAIN = require.resolve('@fitting-room/server/main');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export interface RunningProcess {
  child: ChildProcess;
  /** JSON log lines written to stdout so far. */
  logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

function run(script: string, cwd: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, ['--import', TSX, script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function until<T>(what: string, p: RunningProcess, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`${what} exited (${p.child.exitCode}): ${p.stderr()}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUp) {
      p.child.kill('SIGKILL');
      throw new Error(`${what} did not start in ${timeoutMs / 1000} s: ${p.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface StorefrontProcess extends RunningProcess {
  url: string;
}

/** `npm run storefront` in its own process, configured by `env` (PORT 0 unless given); resolves once it listens. */
export async function startStorefrontProcess(cwd: string, env: Record<string, string>): Promise<StorefrontProcess> {
  const p = run(STOREFRONT_MAIN, cwd, { PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const url = await until('storefront', p, () => {
    const listening = p.logs.find((l) => l.msg === 'storefront app listening');
    return listening ? String(listening.url).replace('localhost', '127.0.0.1') : undefined;
  });
  return { ...p, url };
}

export interface InferenceServerProcess extends RunningProcess {
  port: number;
}

/** The real inference server on `port`, with one API key; resolves once it answers ListModels. */
export async function startInferenceServerProcess(port: number, env: Record<string, string>, apiKey: string): Promise<InferenceServerProcess> {
  const p = run(SERVER_MAIN, process.cwd(), {
    TRYON_HOST: '127.0.0.1', TRYON_PORT: String(port), TRYON_METRICS_PORT: '-1', TRYON_API_KEYS: apiKey, TRYON_LOG_LEVEL: 'warn', ...env,
  });
  const client = createTryOnClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${apiKey}`);
  const models = () =>
    new Promise<number | undefined>((resolve) =>
      client.ListModels({}, metadata, { deadline: Date.now() + 2_000 }, (err, res) => resolve(err || !res || res.models.length === 0 ? undefined : res.models.length)));
  try {
    await until('inference server', p, models);
  } finally {
    client.close();
  }
  return { ...p, port };
}
