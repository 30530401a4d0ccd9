// The threaded wasm build (engine/wasm/threaded-wasm.ts) in fresh processes, since XNNPACK's pool size is fixed
// once per process: it starts with the threads asked for, computes what the single-threaded build computes,
// and lets a finished process exit (its pool's workers must not hold it open).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// A 3x3 convolution, an attention-shaped product and a GroupNorm-like reduction, printed as JSON; no
// process.exit: the process has to end by itself.
const PROGRAM = `
const tf = await import('@tensorflow/tfjs-core');
const { initBackend } = await import('./server/src/engine/backend.ts');
const info = await initBackend('wasm', { strict: true, logger: { info() {}, warn() {} } });
const x = tf.randomNormal([2, 20, 20, 64], 0, 1, 'float32', 1);
const w = tf.randomNormal([3, 3, 64, 96], 0, 0.1, 'float32', 2);
const conv = tf.conv2d(x, w, 1, 'same');
const q = tf.randomNormal([8, 128, 40], 0, 1, 'float32', 3);
const scores = tf.matMul(q, q, false, true);
const mean = tf.mean(conv, [1, 2]);
const values = await Promise.all([conv, scores, mean].map((t) => t.data()));
console.log(JSON.stringify({ threads: info.threads, values: values.map((v) => Array.from(v)) }));
`;

interface Output {
  threads: number;
  values: number[][];
}

async function runWith(threads: number, tmp?: string): Promise<Output> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM], {
    cwd: repoRoot,
    env: { ...process.env, TRYON_WASM_THREADS: String(threads), ...(tmp === undefined ? {} : { TMPDIR: tmp }) },
    // A process held open by the pool's workers would run into this instead of exiting.
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Output;
}

describe('threaded wasm', () => {
  it('runs on the threads asked for, computes as the single-threaded build, and exits when done', async () => {
    const single = await runWith(1);
    // The pthread worker script goes to a private temporary folder that the process removes when it exits.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'threaded-wasm-test-'));
    let threaded: Output;
    try {
      threaded = await runWith(2, tmp);
      expect(readdirSync(tmp).filter((name) => name.startsWith('tfjs-wasm-'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(single.threads).toBe(1);
    expect(threaded.threads).toBe(2);
    expect(threaded.values.map((v) => v.length)).toEqual(single.values.map((v) => v.length));
    for (const [i, values] of threaded.values.entries()) {
      const worst = values.reduce((m, v, j) => Math.max(m, Math.abs(v - single.values[i][j])), 0);
      expect(worst).toBeLessThan(1e-4);
    }
  }, 150_000);
});
