// `scheduler`: add_noise, or a trajectory set_timesteps → (scale_model_input, step)* fed with the
// recorded model outputs (and, for ancestral schedulers and LCM, each step's recorded noise).
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createScheduler } from '../../schedulers/index.js';
import { replayNoise } from '../../random.js';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkNumbers, checkTensor, ref, refList } from './checks.js';

const addNoiseInputs = z.object({
  scheduler: z.string(),
  method: z.literal('add_noise'),
  config: z.record(z.string(), z.unknown()),
  original_samples: ref,
  noise: ref,
  timesteps: ref,
});
const addNoiseExpected = z.object({ noisy_samples: ref, alphas_cumprod: ref.optional() });

const trajectoryInputs = z.object({
  scheduler: z.string(),
  config: z.record(z.string(), z.unknown()),
  num_inference_steps: z.number().int().positive(),
  initial_sample: ref,
  model_output: refList,
  step_noise: refList.optional(),
});
const trajectoryExpected = z.object({
  timesteps: ref,
  init_noise_sigma: z.number(),
  sigmas: ref.optional(),
  scaled_model_input: refList,
  prev_sample: refList,
  /** LCM: the consistency estimate of each step. */
  denoised: refList.optional(),
});

async function addNoiseCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', addNoiseInputs);
  const want = caseField(c, 'expected', addNoiseExpected);
  const tolerance = caseTolerance(c);
  const scheduler = createScheduler(input.scheduler, input.config);
  const original = await ctx.tensors.nhwc(input.original_samples);
  const noise = await ctx.tensors.nhwc(input.noise);
  const timesteps = Array.from(await ctx.tensors.values(input.timesteps));
  try {
    const noisy = scheduler.addNoise(original, noise, timesteps);
    try {
      const checks = [await checkTensor(ctx.tensors, 'noisy_samples', noisy, want.noisy_samples, tolerance, 'nchw')];
      if (want.alphas_cumprod) {
        const alphas = (scheduler as { alphasCumprod?: ArrayLike<number> }).alphasCumprod;
        if (!alphas) throw new Error(`${input.scheduler} does not expose alphasCumprod to compare`);
        checks.push(checkNumbers('alphas_cumprod', Array.from(alphas), Array.from(await ctx.tensors.values(want.alphas_cumprod)), tolerance));
      }
      return checks;
    } finally {
      noisy.dispose();
    }
  } finally {
    original.dispose();
    noise.dispose();
  }
}

async function trajectoryCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', trajectoryInputs);
  const want = caseField(c, 'expected', trajectoryExpected);
  const tolerance = caseTolerance(c);
  const scheduler = createScheduler(input.scheduler, input.config);
  scheduler.setTimesteps(input.num_inference_steps);
  const checks: Check[] = [
    checkNumbers('timesteps', scheduler.timesteps, Array.from(await ctx.tensors.values(want.timesteps)), tolerance),
    checkNumbers('init_noise_sigma', [scheduler.initNoiseSigma], [want.init_noise_sigma], tolerance),
  ];
  if (want.sigmas) {
    checks.push(checkNumbers('sigmas', scheduler.sigmas ?? [], Array.from(await ctx.tensors.values(want.sigmas)), tolerance));
  }
  const stepNoise = await Promise.all((input.step_noise ?? []).map((r) => ctx.tensors.nhwc(r)));
  // step_noise[i] is step i's noise: an ancestral scheduler draws it every step, LCM on all but the last.
  const noiseOfStep = (i: number) => replayNoise(stepNoise.slice(i, i + 1));
  let sample: tf.Tensor = await ctx.tensors.nhwc(input.initial_sample);
  try {
    const steps = Math.min(scheduler.timesteps.length, input.model_output.length);
    if (input.model_output.length !== scheduler.timesteps.length) {
      checks.push(checkNumbers('model call count', [scheduler.timesteps.length], [input.model_output.length], { atol: 0, rtol: 0 }));
    }
    for (let i = 0; i < steps; i++) {
      const t = scheduler.timesteps[i];
      const scaled = scheduler.scaleModelInput(sample, t);
      checks.push(await checkTensor(ctx.tensors, `scaled_model_input[${i}]`, scaled, want.scaled_model_input[i], tolerance, 'nchw'));
      scaled.dispose();
      const output = await ctx.tensors.nhwc(input.model_output[i]);
      let next: tf.Tensor;
      if (want.denoised) {
        if (!scheduler.stepWithDenoised) throw new Error(`${input.scheduler} has no denoised estimate to compare`);
        const out = scheduler.stepWithDenoised(output, t, sample, noiseOfStep(i));
        checks.push(await checkTensor(ctx.tensors, `denoised[${i}]`, out.denoised, want.denoised[i], tolerance, 'nchw'));
        out.denoised.dispose();
        next = out.prevSample;
      } else {
        next = scheduler.step(output, t, sample, noiseOfStep(i));
      }
      output.dispose();
      sample.dispose();
      sample = next;
      checks.push(await checkTensor(ctx.tensors, `prev_sample[${i}]`, sample, want.prev_sample[i], tolerance, 'nchw'));
    }
    return checks;
  } finally {
    sample.dispose();
    stepNoise.forEach((t) => t.dispose());
    (scheduler as { dispose?: () => void }).dispose?.();
  }
}

export function schedulerCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  return c.inputs.method === 'add_noise' ? addNoiseCase(c, ctx) : trajectoryCase(c, ctx);
}
