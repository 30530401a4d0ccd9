// The real inference server in its own process (`server/src/main.ts` via tsx), as deployed: its compute does
// not block the app's event loop, so timing between the two is like production.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTryOnClient } from '../../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A TCP port nothing listens on right now (for a process to listen on next). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export interface InferenceProcess {
  port: number;
  /** The server's JSON log lines so far (stdout; TRYON_LOG_LEVEL decides how many). */
  logs(): Record<string, unknown>[];
  /** Calls ListJobs with the API key: the server's own record of jobs. */
  jobStates(): Promise<string[]>;
  stop(): Promise<void>;
  /** Ends the process with a signal (SIGKILL: as a crashed node), without waiting for it to drain. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `port`: a given one (a restart where the old process listened), else a free one. */
export async function startInferenceProcess(env: Record<string, string>, apiKey: string, port?: number): Promise<InferenceProcess> {
  port ??= await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, TRYON_HOST: '127.0.0.1', TRYON_PORT: String(port), TRYON_METRICS_PORT: '-1', TRYON_API_KEYS: apiKey, TRYON_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const logs: Record<string, unknown>[] = [];
  let partial = '';
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const client = createTryOnClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${apiKey}`);
  const jobStates = () =>
    new Promise<string[]>((resolve, reject) =>
      client.ListJobs({ kind: 'JOB_KIND_GENERATE' }, metadata, { deadline: Date.now() + 5_000 }, (err, res) => (err || !res ? reject(err) : resolve(res.jobs.map((j) => j.state)))));
  const listModels = () =>
    new Promise<number>((resolve, reject) =>
      client.ListModels({}, metadata, { deadline: Date.now() + 2_000 }, (err, res) => (err || !res ? reject(err) : resolve(res.models.length))));

  const giveUp = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`inference server exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await listModels()) > 0) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > giveUp) {
      child.kill('SIGKILL');
      throw new Error(`inference server did not start in 90 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return {
    port,
    logs: () => logs,
    jobStates,
    stop: async () => {
      client.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async (signal) => {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
