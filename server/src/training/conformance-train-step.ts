// The `train_step` conformance case (fixtures README): two steps of diffusers' train_text_to_image.py on a
// fresh, fully trainable UNet, checking latents, noisy latents, text states, prediction, loss, gradient norm,
// gradients before clipping and parameters after each AdamW step. Importing this module registers it.
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { type Check, checkNumbers, checkTensor, ref, caseField, type ConformanceCase, type TensorRef, registerCaseHandler, type CaseContext, registerTrainingSupport, type ParameterSpec, DDPMScheduler, loadStableDiffusion } from '../engine/training.js';
import { lossAndGrads } from './diffusion-step.js';
import { AdamW } from './optim/adamw.js';
import { clipByGlobalNorm } from './optim/clip-grad-norm.js';
import { toTorchLayout } from './torch-layout.js';
import { fullUNetTrainable } from './trainable.js';

const tol = z.object({ atol: z.number(), rtol: z.number() });
const inputsSchema = z.object({
  model: z.string(),
  pixel_values: ref,
  input_ids: ref,
  optimizer: z.object({ lr: z.number(), betas: z.tuple([z.number(), z.number()]), weight_decay: z.number(), eps: z.number() }),
  max_grad_norm: z.number(),
  steps: z.array(z.object({ vae_sample_eps: ref, noise: ref, timesteps: ref })),
});
const expectedSchema = z.object({
  steps: z.array(
    z.object({
      latents: ref,
      noisy_latents: ref,
      encoder_hidden_states: ref,
      model_pred: ref,
      loss: z.number(),
      grad_norm_before_clip: z.number(),
      grads_before_clip: z.record(z.string(), ref),
      params_after: z.record(z.string(), ref),
    }),
  ),
});
const toleranceSchema = z.object({ loss: tol, grad_norm_before_clip: tol, tensors: tol, params_after: tol });

async function checkParams(
  ctx: CaseContext,
  label: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  specs: ReadonlyMap<string, ParameterSpec>,
  want: Record<string, TensorRef>,
  tolerance: z.infer<typeof tol>,
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [name, expected] of Object.entries(want)) {
    const t = tensors.get(name);
    const spec = specs.get(name);
    if (t === undefined || spec === undefined) throw new Error(`train_step: the UNet has no parameter ${name}`);
    const torch = toTorchLayout(t, spec);
    checks.push(await checkTensor(ctx.tensors, `${label}[${name}]`, torch, expected, tolerance, 'as-is'));
    torch.dispose();
  }
  return checks;
}

export async function trainStepCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  await registerTrainingSupport();
  const input = caseField(c, 'inputs', inputsSchema);
  const want = caseField(c, 'expected', expectedSchema);
  const tolerances = toleranceSchema.parse(c.tolerance);
  // A fresh copy: training changes the weights, and the run's model cache is shared with other cases.
  const sd = await loadStableDiffusion(ctx.tensors.resolve(input.model));
  const noiseScheduler = new DDPMScheduler(sd.schedulerConfig);
  const trainable = fullUNetTrainable(sd.unet.parameters);
  const { lr, betas, weight_decay, eps } = input.optimizer;
  const optimizer = new AdamW(trainable.variables, { beta1: betas[0], beta2: betas[1], weightDecay: weight_decay, eps });
  const pixels = await ctx.tensors.nhwc(input.pixel_values);
  const storedIds = await ctx.tensors.tensor(input.input_ids);
  const ids = tf.cast(storedIds, 'int32') as tf.Tensor2D;
  storedIds.dispose();
  const checks: Check[] = [];
  try {
    for (const [s, step] of input.steps.entries()) {
      const expected = want.steps[s];
      const vaeEps = await ctx.tensors.nhwc(step.vae_sample_eps);
      const noise = await ctx.tensors.nhwc(step.noise);
      const timesteps = Array.from(await ctx.tensors.values(step.timesteps));
      const models = { unet: sd.unet, vae: sd.vae, textEncoder: sd.textEncoder, noiseScheduler };
      const result = await lossAndGrads(models, trainable, { pixels, inputIds: ids, vaeEps, noise, timesteps }, { trace: true });
      const trace = result.trace as NonNullable<typeof result.trace>;
      const { tensors: t } = tolerances;
      checks.push(await checkTensor(ctx.tensors, `s${s}.latents`, trace.latents, expected.latents, t, 'nchw'));
      checks.push(await checkTensor(ctx.tensors, `s${s}.noisy_latents`, trace.noisyLatents, expected.noisy_latents, t, 'nchw'));
      checks.push(await checkTensor(ctx.tensors, `s${s}.encoder_hidden_states`, trace.encoderHiddenStates, expected.encoder_hidden_states, t, 'as-is'));
      checks.push(await checkTensor(ctx.tensors, `s${s}.model_pred`, trace.modelPred, expected.model_pred, t, 'nchw'));
      checks.push(checkNumbers(`s${s}.loss`, [result.loss], [expected.loss], tolerances.loss));
      const { norm, clipped } = await clipByGlobalNorm(result.grads, input.max_grad_norm);
      checks.push(checkNumbers(`s${s}.grad_norm_before_clip`, [norm], [expected.grad_norm_before_clip], tolerances.grad_norm_before_clip));
      checks.push(...(await checkParams(ctx, `s${s}.grads_before_clip`, result.grads, sd.unet.parameterSpecs, expected.grads_before_clip, t)));
      optimizer.apply(clipped, lr);
      checks.push(
        ...(await checkParams(ctx, `s${s}.params_after`, sd.unet.parameters, sd.unet.parameterSpecs, expected.params_after, tolerances.params_after)),
      );
      tf.dispose([vaeEps, noise, ...result.grads.values(), ...clipped.values(), trace.latents, trace.noisyLatents, trace.encoderHiddenStates, trace.modelPred]);
    }
    return checks;
  } finally {
    tf.dispose([pixels, ids]);
    optimizer.dispose();
    sd.dispose();
  }
}

/** Registers the `train_step` case type with the conformance runner. */
export function registerTrainStepCase(): void {
  registerCaseHandler('train_step', trainStepCase);
}

registerTrainStepCase();
