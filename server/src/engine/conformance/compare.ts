// Element-wise comparison of the format: pass if |actual - expected| <= atol + rtol * |expected| everywhere.
import type { Tolerance } from './manifest.js';

export interface Check {
  /** What was compared, e.g. "image" or "step_latents[3]". */
  readonly name: string;
  readonly maxAbsError: number;
  readonly pass: boolean;
  readonly tolerance: Tolerance;
  /** Why it failed, when that is not just the numbers (shape mismatch, count mismatch). */
  readonly detail?: string;
}

type Numbers = ArrayLike<number>;

export function compareArrays(name: string, actual: Numbers, expected: Numbers, tolerance: Tolerance): Check {
  if (actual.length !== expected.length) {
    return { name, maxAbsError: Infinity, pass: false, tolerance, detail: `${actual.length} values, expected ${expected.length}` };
  }
  let maxAbsError = 0;
  let pass = true;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    // NaN fails: the comparison below is false for it.
    if (!(err <= tolerance.atol + tolerance.rtol * Math.abs(expected[i]))) pass = false;
    if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
  }
  return { name, maxAbsError, pass, tolerance };
}

export function compareShapes(name: string, actual: readonly number[], expected: readonly number[], tolerance: Tolerance): Check | undefined {
  if (actual.join(',') === expected.join(',')) return undefined;
  return { name, maxAbsError: Infinity, pass: false, tolerance, detail: `shape [${actual.join(', ')}], expected [${expected.join(', ')}]` };
}

/** A failure that is not numeric (an exception in the case, a missing output). */
export function failedCheck(name: string, detail: string): Check {
  return { name, maxAbsError: Infinity, pass: false, tolerance: { atol: 0, rtol: 0 }, detail };
}

/**
 * The tolerance scaled to a tensor's magnitude: the format's pipeline tolerances are for the [0, 1] image,
 * and "latents use the same atol relative to their scale".
 */
export function scaledTolerance(tolerance: Tolerance, scale: number): Tolerance {
  return { ...tolerance, atol: tolerance.atol * Math.max(1, scale) };
}

export function maxAbs(values: Numbers): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
