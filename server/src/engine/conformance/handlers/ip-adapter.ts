// `ip_adapter_image_proj` (embeds → tokens) and `unet_ip_adapter` (the UNet with the adapter attached at a scale).
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import { checkTensor, ref } from './checks.js';

export async function ipAdapterImageProjCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', z.object({ weights: z.string(), embeds: ref }));
  const want = caseField(c, 'expected', z.object({ tokens: ref }));
  const adapter = await ctx.models.ipAdapter(ctx.tensors.resolve(input.weights));
  const embeds = await ctx.tensors.tensor(input.embeds);
  try {
    const tokens = adapter.projection.tokens(embeds);
    try {
      return [await checkTensor(ctx.tensors, 'tokens', tokens, want.tokens, caseTolerance(c), 'as-is')];
    } finally {
      tokens.dispose();
    }
  } finally {
    embeds.dispose();
  }
}

export async function unetIpAdapterCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(
    c,
    'inputs',
    z.object({ model: z.string(), weights: z.string(), scale: z.number(), sample: ref, timestep: z.number(), encoder_hidden_states: ref, image_embeds: ref }),
  );
  const want = caseField(c, 'expected', z.object({ sample: ref }));
  const unet = await ctx.models.unetModel(ctx.tensors.resolve(input.model));
  const adapter = await ctx.models.ipAdapter(ctx.tensors.resolve(input.weights));
  const sample = await ctx.tensors.nhwc(input.sample);
  const states = (await ctx.tensors.tensor(input.encoder_hidden_states)) as tf.Tensor3D;
  // added_cond_kwargs' image_embeds carry one image per prompt: [B, 1, D] or [B, 1, T, hidden].
  const embeds = await ctx.tensors.tensor(input.image_embeds);
  const attached = adapter.attach(unet);
  try {
    const out = tf.tidy(() => {
      const tokens = adapter.projection.tokens(tf.squeeze(embeds, [1]));
      return unet.forward(sample, tf.tensor1d([input.timestep]), states, { tokens, scale: input.scale });
    });
    try {
      return [await checkTensor(ctx.tensors, 'sample', out, want.sample, caseTolerance(c), 'nchw')];
    } finally {
      out.dispose();
    }
  } finally {
    attached.detach();
    tf.dispose([sample, states, embeds]);
  }
}
