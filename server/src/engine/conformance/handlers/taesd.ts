// `taesd_decode` / `taesd_encode`: AutoencoderTiny's decode(latents).sample and encode(image).latents (NCHW fixtures).
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AutoencoderTiny } from '../../models/taesd/autoencoder-tiny.js';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkTensor, ref } from './checks.js';

async function runOne(c: ConformanceCase, ctx: CaseContext, inputKey: 'latents' | 'image', outputKey: 'image' | 'latents', run: (taesd: AutoencoderTiny, x: tf.Tensor4D) => tf.Tensor4D): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ model: z.string() }).and(z.record(z.literal(inputKey), ref)));
  const want = caseField(c, 'expected', z.record(z.literal(outputKey), ref));
  const taesd = await ctx.models.taesd(ctx.tensors.resolve(input.model));
  const x = await ctx.tensors.nhwc(input[inputKey]);
  try {
    const out = run(taesd, x);
    try {
      return [await checkTensor(ctx.tensors, outputKey, out, want[outputKey], caseTolerance(c), 'nchw')];
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
}

export const taesdDecodeCase = (c: ConformanceCase, ctx: CaseContext): Promise<Check[]> => runOne(c, ctx, 'latents', 'image', (t, x) => t.decode(x));
export const taesdEncodeCase = (c: ConformanceCase, ctx: CaseContext): Promise<Check[]> => runOne(c, ctx, 'image', 'latents', (t, x) => t.encode(x));
