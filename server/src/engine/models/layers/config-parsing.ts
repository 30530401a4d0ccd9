// Shared handling of a model's config.json: zod validation with errors that name the key and the bad value.
import type { z } from 'zod';

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

export function parseConfig<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const result = schema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const received = lookup(json, issue.path);
      const got = received === undefined ? '' : ` (got ${JSON.stringify(received)})`;
      return `${key}: ${issue.message}${got}`;
    });
    throw new ModelConfigError(`invalid ${what} config: ${lines.join('; ')}`);
  }
  return result.data;
}

function lookup(json: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = json;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Recursively freezes a plain config object (arrays included). */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
