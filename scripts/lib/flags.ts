// Command-line flag values, checked once where they enter: a bad value is a UsageError naming the flag, which the
// CLIs report with their usage text and exit code 2.

export class UsageError extends Error {}

export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return n;
}

export function integerFlag(name: string, value: string | undefined, { min }: { min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || (min !== undefined && n < min)) {
    throw new UsageError(`--${name} must be ${min === 0 ? 'a non-negative integer' : min !== undefined ? `an integer >= ${min}` : 'an integer'}, got "${value}"`);
  }
  return n;
}

export function requiredFlag(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** A UsageError, or node:util parseArgs' own complaint about an unknown or malformed flag. */
export const isUsageError = (error: unknown): error is Error =>
  error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
