// `clip_vision` (CLIPVisionModelWithProjection: pixel_values → image_embeds, last and penultimate hidden states)
// and `clip_image_preprocess` (CLIPImageProcessor: PNG → pixel_values).
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { clipPixelValues, parseCLIPImageProcessorConfig } from '../../models/clip/clip-image-processor.js';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkTensor, ref, valuesOf } from './checks.js';

/** A resampler other than PIL's lands within a few 8-bit levels; on average it must be much closer. */
const MEAN_ABS_LIMIT = 0.02;

export async function clipVisionCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ model: z.string(), pixel_values: ref }));
  const want = caseField(c, 'expected', z.object({ image_embeds: ref, last_hidden_state: ref.optional(), penultimate_hidden_state: ref.optional() }));
  const tolerance = caseTolerance(c);
  const encoder = await ctx.models.clipVision(ctx.tensors.resolve(input.model));
  const pixels = await ctx.tensors.nhwc(input.pixel_values);
  try {
    const out = encoder.forward(pixels);
    try {
      const checks = [await checkTensor(ctx.tensors, 'image_embeds', out.imageEmbeds, want.image_embeds, tolerance, 'as-is')];
      if (want.last_hidden_state) checks.push(await checkTensor(ctx.tensors, 'last_hidden_state', out.lastHiddenState, want.last_hidden_state, tolerance, 'as-is'));
      if (want.penultimate_hidden_state) {
        checks.push(await checkTensor(ctx.tensors, 'penultimate_hidden_state', out.penultimateHiddenState, want.penultimate_hidden_state, tolerance, 'as-is'));
      }
      return checks;
    } finally {
      tf.dispose(out);
    }
  } finally {
    pixels.dispose();
  }
}

export async function clipImagePreprocessCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ image: z.string(), processor_config: z.record(z.string(), z.unknown()) }));
  const want = caseField(c, 'expected', z.object({ pixel_values: ref }));
  const tolerance = caseTolerance(c);
  const pixels = await clipPixelValues(await readFile(ctx.tensors.resolve(input.image)), parseCLIPImageProcessorConfig(input.processor_config));
  try {
    const check = await checkTensor(ctx.tensors, 'pixel_values', pixels, want.pixel_values, tolerance, 'nchw');
    const actual = await valuesOf(pixels, true);
    const expected = await ctx.tensors.values(want.pixel_values);
    let sum = 0;
    for (let i = 0; i < expected.length; i++) sum += Math.abs(actual[i] - expected[i]);
    const mean = expected.length === actual.length ? sum / expected.length : Infinity;
    return [check, { name: 'pixel_values mean |diff|', maxAbsError: mean, pass: mean < MEAN_ABS_LIMIT, tolerance: { atol: MEAN_ABS_LIMIT, rtol: 0 } }];
  } finally {
    pixels.dispose();
  }
}
