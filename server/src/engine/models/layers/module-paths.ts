// Module paths (`a.b.to_q`) from parameter names (`a.b.to_q.weight`): what LoRA files name.
import type { ParameterSpec } from './parameters.js';

export function modulePaths(specs: ReadonlyMap<string, ParameterSpec>): string[] {
  const paths = new Set<string>();
  for (const name of specs.keys()) paths.add(name.slice(0, name.lastIndexOf('.')));
  return [...paths];
}
