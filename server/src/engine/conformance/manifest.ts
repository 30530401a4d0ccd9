// The fixture manifest format (../shared/fixtures/<set>/README.md), validated once with zod. Case inputs
// and expectations stay loosely typed here; each case handler parses the fields it reads.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parsePythonJson } from './lenient-json.js';

export const tensorRefSchema = z.object({
  file: z.string().min(1),
  key: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['F32', 'I64']),
});
export type TensorRef = z.infer<typeof tensorRefSchema>;

export const toleranceSchema = z.object({
  atol: z.number().nonnegative(),
  rtol: z.number().nonnegative(),
  exact: z.boolean().optional(),
});
export type Tolerance = z.infer<typeof toleranceSchema>;

export const caseSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  description: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()),
  expected: z.record(z.string(), z.unknown()),
  // train_step has per-field tolerances instead of one; its handler reads them.
  tolerance: z.looseObject({ atol: z.number().nonnegative().optional(), rtol: z.number().nonnegative().optional() }).optional(),
  notes: z.record(z.string(), z.unknown()).optional(),
});
export type ConformanceCase = z.infer<typeof caseSchema>;

export const manifestSchema = z.looseObject({
  version: z.literal(1),
  reference: z.record(z.string(), z.unknown()).optional(),
  cases: z.array(caseSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = parsePythonJson(text);
  } catch (err) {
    throw new ManifestError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new ManifestError(`${file} does not match the fixture format: ${z.prettifyError(parsed.error)}`);
  const ids = new Set<string>();
  for (const c of parsed.data.cases) {
    if (ids.has(c.id)) throw new ManifestError(`${file}: case id "${c.id}" appears twice`);
    ids.add(c.id);
  }
  return parsed.data;
}

/** Parses a part of a case with a schema; errors name the case and the field. */
export function caseField<S extends z.ZodType>(c: ConformanceCase, where: 'inputs' | 'expected', schema: S): z.output<S> {
  const parsed = schema.safeParse(c[where]);
  if (!parsed.success) throw new ManifestError(`case ${c.id}: ${where} ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A case's single tolerance (every type but train_step has one). */
export function caseTolerance(c: ConformanceCase): Tolerance {
  const parsed = toleranceSchema.safeParse(c.tolerance);
  if (!parsed.success) throw new ManifestError(`case ${c.id}: tolerance ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
