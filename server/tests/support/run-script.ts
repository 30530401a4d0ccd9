// Runs one of the repo's CLI scripts (scripts/<name>.ts) in a child Node process, as `npm run <name>` does,
// and returns its exit code and output instead of throwing on a non-zero exit.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runScript(script: string, args: readonly string[], timeoutMs = 120_000): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join('scripts', script), ...args], { cwd: repoRoot, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as ScriptResult;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
