// Runs every case of a fixture manifest and reports one result per case. Everything comes from the
// manifest and the model folders it names; nothing here knows a case id or a value.
import { type Check, failedCheck } from './compare.js';
import { readManifest, type ConformanceCase } from './manifest.js';
import { ModelCache } from './model-cache.js';
import { registerBuiltInHandlers } from './handlers/index.js';
import { caseHandler, type CaseContext } from './registry.js';
import { TensorStore } from './tensor-store.js';
import { settleWebgpu } from '../webgpu/webgpu-backend.js';

export type CaseStatus = 'pass' | 'fail' | 'skipped';

export interface CaseResult {
  readonly id: string;
  readonly type: string;
  readonly status: CaseStatus;
  readonly checks: readonly Check[];
  /** The check that came closest to (or furthest past) its tolerance. */
  readonly worst?: Check;
  readonly reason?: string;
  readonly ms: number;
}

export interface ConformanceSummary {
  readonly results: CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface RunOptions {
  /** Only cases whose id contains one of these, or whose type is one of them (CLI --only). */
  readonly only?: readonly string[];
  /** Only cases of exactly these types. */
  readonly types?: readonly string[];
  readonly onResult?: (result: CaseResult) => void;
}

/** How far a check is into its tolerance: above 1 fails. Uses the tolerance at |expected| = 0 for a scalar view. */
function severity(check: Check): number {
  if (!check.pass) return Infinity;
  const allowed = check.tolerance.atol;
  return allowed === 0 ? (check.maxAbsError === 0 ? 0 : 1) : check.maxAbsError / allowed;
}

function worstOf(checks: readonly Check[]): Check | undefined {
  return checks.reduce<Check | undefined>((worst, c) => (worst === undefined || severity(c) > severity(worst) ? c : worst), undefined);
}

async function runCase(c: ConformanceCase, ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const handler = caseHandler(c.type);
  if (!handler) return { id: c.id, type: c.type, status: 'skipped', checks: [], reason: `case type "${c.type}" is not supported yet`, ms: 0 };
  let checks: Check[];
  try {
    checks = await handler(c, ctx);
    // A WebGPU validation error is no exception by itself: wait for the device and fail the case on one.
    await settleWebgpu();
    if (checks.length === 0) checks = [failedCheck('result', 'the handler compared nothing')];
  } catch (err) {
    checks = [failedCheck('error', (err as Error).message)];
  }
  const pass = checks.every((k) => k.pass);
  return { id: c.id, type: c.type, status: pass ? 'pass' : 'fail', checks, worst: worstOf(checks), ms: performance.now() - started };
}

export async function runConformance(dir: string, opts: RunOptions = {}): Promise<ConformanceSummary> {
  await registerBuiltInHandlers();
  const manifest = await readManifest(dir);
  const cases = manifest.cases.filter(
    (c) => (!opts.only?.length || opts.only.some((s) => c.id.includes(s) || c.type === s)) && (!opts.types || opts.types.includes(c.type)),
  );
  const tensors = new TensorStore(dir);
  const models = new ModelCache();
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      // Each case's own tensors are freed by its handler; a leak would show across the run.
      const result = await runCase(c, { root: dir, tensors, models });
      results.push(result);
      opts.onResult?.(result);
    }
  } finally {
    models.dispose();
    await tensors.close();
  }
  return {
    results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}

/** One line per case: status, id, type, the worst check's max abs error against its tolerance. */
export function formatResult(r: CaseResult): string {
  const status = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'SKIP';
  const head = `${status}  ${r.id.padEnd(36)} ${r.type.padEnd(12)}`;
  if (r.status === 'skipped') return `${head} ${r.reason}`;
  const w = r.worst;
  if (!w) return head;
  const err = Number.isFinite(w.maxAbsError) ? w.maxAbsError.toExponential(2) : String(w.maxAbsError);
  const tol = `atol ${short(w.tolerance.atol)} rtol ${short(w.tolerance.rtol)}`;
  const detail = w.detail ? ` (${w.detail})` : '';
  return `${head} max abs err ${err} [${w.name}] vs ${tol}${detail}  ${(r.ms / 1000).toFixed(1)}s`;
}

function short(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

export function formatSummary(s: ConformanceSummary): string {
  return `${s.passed} passed, ${s.failed} failed${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}`;
}
