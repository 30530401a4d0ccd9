// Model, LoRA and output names are entry names inside the models directory: never paths.

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why `name` is not a valid entry name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\')) return `must not contain path separators, got "${name}"`;
  if (name.includes('..')) return `must not contain "..", got "${name}"`;
  if (!NAME_PATTERN.test(name)) {
    return `must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, got "${name}"`;
  }
  return undefined;
}

export function isValidModelName(name: string): boolean {
  return nameProblem(name) === undefined;
}
