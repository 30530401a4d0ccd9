// The storefront app in its own process (src/main.ts, as `npm run storefront` runs it), killable with any signal and
// restartable, for the restart tests (the inference server's process comes from @fitting-room/server/testing).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx');
const STOREFRONT_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

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
