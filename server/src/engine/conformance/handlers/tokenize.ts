// `tokenize`: CLIPTokenizer(text, padding="max_length", max_length, truncation=True), exact ids.
import { z } from 'zod';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkNumbers, ref } from './checks.js';

const inputs = z.object({ text: z.string(), tokenizer: z.string(), max_length: z.number().int().positive().optional() });
const expected = z.object({ input_ids: ref, input_ids_unpadded_json: z.array(z.number().int()).optional() });

export async function tokenizeCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const { text, tokenizer: dir, max_length: maxLength } = caseField(c, 'inputs', inputs);
  const want = caseField(c, 'expected', expected);
  const tolerance = caseTolerance(c);
  const tokenizer = await ctx.models.tokenizer(ctx.tensors.resolve(dir));
  if (maxLength !== undefined && maxLength !== tokenizer.maxLength) {
    throw new Error(`case asks for max_length ${maxLength}, the tokenizer in ${dir} has ${tokenizer.maxLength}`);
  }
  const encoded = tokenizer.encode(text);
  const checks = [checkNumbers('input_ids', encoded.inputIds, Array.from(await ctx.tensors.values(want.input_ids)), tolerance)];
  if (want.input_ids_unpadded_json) {
    const kept = tokenizer.tokenize(text).slice(0, tokenizer.maxLength - 2);
    const unpadded = [tokenizer.startId, ...kept, tokenizer.endId];
    checks.push(checkNumbers('input_ids_unpadded', unpadded, want.input_ids_unpadded_json, tolerance));
  }
  return checks;
}
