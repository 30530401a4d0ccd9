// Single-model cases: text_encoder, unet, vae_encode, vae_decode (inputs NCHW in the fixtures).
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkTensor, ref } from './checks.js';

export async function textEncoderCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ model: z.string(), input_ids: ref }));
  const want = caseField(c, 'expected', z.object({ last_hidden_state: ref, clip_skip_1: ref.optional(), pooler_output: ref.optional() }));
  const tolerance = caseTolerance(c);
  const model = await ctx.models.textEncoder(ctx.tensors.resolve(input.model));
  const ids = (await ctx.tensors.tensor(input.input_ids)) as tf.Tensor2D;
  const checks: Check[] = [];
  try {
    await model.checkInputIds(ids);
    const out = model.forward(ids);
    checks.push(await checkTensor(ctx.tensors, 'last_hidden_state', out.lastHiddenState, want.last_hidden_state, tolerance, 'as-is'));
    if (want.pooler_output) checks.push(await checkTensor(ctx.tensors, 'pooler_output', out.pooledOutput, want.pooler_output, tolerance, 'as-is'));
    tf.dispose([out.lastHiddenState, out.pooledOutput]);
    if (want.clip_skip_1) {
      const skipped = model.forward(ids, { clipSkip: 1 });
      checks.push(await checkTensor(ctx.tensors, 'clip_skip_1', skipped.lastHiddenState, want.clip_skip_1, tolerance, 'as-is'));
      tf.dispose([skipped.lastHiddenState, skipped.pooledOutput]);
    }
    return checks;
  } finally {
    ids.dispose();
  }
}

const unetInputs = z.object({
  model: z.string(),
  sample: ref,
  timestep: z.union([z.number(), z.array(z.number())]),
  encoder_hidden_states: ref,
});

export async function unetCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', unetInputs);
  const want = caseField(c, 'expected', z.object({ sample: ref }));
  const unet = await ctx.models.unet(ctx.tensors.resolve(input.model));
  const sample = await ctx.tensors.nhwc(input.sample);
  const states = (await ctx.tensors.tensor(input.encoder_hidden_states)) as tf.Tensor3D;
  try {
    const out = unet.predict(sample, input.timestep, states);
    try {
      return [await checkTensor(ctx.tensors, 'sample', out, want.sample, caseTolerance(c), 'nchw')];
    } finally {
      out.dispose();
    }
  } finally {
    tf.dispose([sample, states]);
  }
}

export async function vaeEncodeCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ model: z.string(), image: ref }));
  const want = caseField(c, 'expected', z.object({ mean: ref, logvar: ref.optional(), std: ref.optional() }));
  const tolerance = caseTolerance(c);
  const vae = await ctx.models.vae(ctx.tensors.resolve(input.model));
  const image = await ctx.tensors.nhwc(input.image);
  try {
    const dist = vae.encode(image);
    try {
      const checks = [await checkTensor(ctx.tensors, 'mean', dist.mean, want.mean, tolerance, 'nchw')];
      if (want.logvar) checks.push(await checkTensor(ctx.tensors, 'logvar', dist.logvar, want.logvar, tolerance, 'nchw'));
      if (want.std) checks.push(await checkTensor(ctx.tensors, 'std', dist.std, want.std, tolerance, 'nchw'));
      return checks;
    } finally {
      tf.dispose([dist.mean, dist.logvar, dist.std]);
    }
  } finally {
    image.dispose();
  }
}

export async function vaeDecodeCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ model: z.string(), latents: ref }));
  const want = caseField(c, 'expected', z.object({ image: ref }));
  const vae = await ctx.models.vae(ctx.tensors.resolve(input.model));
  const latents = await ctx.tensors.nhwc(input.latents);
  try {
    const image = vae.decode(latents);
    try {
      return [await checkTensor(ctx.tensors, 'image', image, want.image, caseTolerance(c), 'nchw')];
    } finally {
      image.dispose();
    }
  } finally {
    latents.dispose();
  }
}
