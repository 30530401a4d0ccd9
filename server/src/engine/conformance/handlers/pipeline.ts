// Whole-pipeline cases (txt2img, img2img, inpaint, single_file, lora, and with an IP-Adapter image prompt): the
// pipeline kind follows from the inputs (mask_image → inpaint, init_image → img2img, else txt2img); random_draws
// are replayed in order. Input images are tensor refs, or PNG files (read as diffusers' image processor reads them).
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { z } from 'zod';
import { replayNoise } from '../../random.js';
import { clipPixelValues, parseCLIPImageProcessorConfig } from '../../models/clip/clip-image-processor.js';
import { encodeImagePrompt } from '../../models/ip-adapter/image-prompt.js';
import { taesdDecoder } from '../../pipelines/adapters.js';
import { prepareMask } from '../../pipelines/inpaint.js';
import { encodePrompt } from '../../pipelines/prompt.js';
import type { CommonOptions } from '../../pipelines/options.js';
import type { StableDiffusionModel } from '../../stable-diffusion.js';
import type { StepCallback } from '../../types.js';
import { compareArrays, maxAbs, scaledTolerance, type Check } from '../compare.js';
import { caseField, caseTolerance, type ConformanceCase, type Tolerance } from '../manifest.js';
import type { CaseContext } from '../registry.js';
import type { TensorStore } from '../tensor-store.js';
import { checkTensor, ref, refList, valuesOf } from './checks.js';

const promptSchema = z.union([z.string(), z.array(z.string())]);

const inputsSchema = z.object({
  model: z.string(),
  config: z.string().optional(),
  scheduler: z.string(),
  scheduler_config: z.record(z.string(), z.unknown()),
  prompt: promptSchema,
  negative_prompt: promptSchema.optional(),
  guidance_scale: z.number(),
  num_inference_steps: z.number().int(),
  num_images_per_prompt: z.number().int().optional(),
  height: z.number().int().optional(),
  width: z.number().int().optional(),
  strength: z.number().optional(),
  latents: ref.optional(),
  init_image: z.union([ref, z.string()]).optional(),
  mask_image: z.union([ref, z.string()]).optional(),
  random_draws: z.array(z.object({ site: z.string(), tensor: ref })).default([]),
  lora: z.string().optional(),
  lora_scale: z.number().optional(),
  /** A TAESD folder that decodes the final latents instead of the model's VAE. */
  vae: z.string().optional(),
  /** An image prompt through an IP-Adapter: its file, the image encoder folder, the image and the processor config. */
  ip_adapter: z
    .object({ weights: z.string(), image_encoder: z.string(), image: z.string(), scale: z.number(), processor_config: z.record(z.string(), z.unknown()).optional() })
    .optional(),
});

const expectedSchema = z.object({
  image: ref,
  final_latents: ref.optional(),
  step_latents: refList.optional(),
  timesteps_run: z.array(z.number()).optional(),
  prompt_embeds: ref.optional(),
  mask_binarized: ref.optional(),
  mask_latent: ref.optional(),
  masked_image: ref.optional(),
});

type Inputs = z.infer<typeof inputsSchema>;
type Expected = z.infer<typeof expectedSchema>;

/** "models/sd-tiny-inpaint (unet) + models/sd-tiny (...)" names a complete folder first; the rest is commentary. */
function modelPath(model: string): string {
  return model.trim().split(/\s+/)[0];
}

/** Latents are compared with the image tolerance scaled to their magnitude (the format's rule). */
function latentTolerance(c: ConformanceCase, tolerance: Tolerance, expected: ArrayLike<number>): Tolerance {
  const noted = c.notes?.latent_abs_max;
  return scaledTolerance(tolerance, typeof noted === 'number' ? noted : maxAbs(expected));
}

/** timesteps_run is recorded as int(t) for float schedules; compare what was run the same way. */
function timestepCheck(actual: readonly number[], expected: readonly number[]): Check {
  const integers = expected.every(Number.isInteger);
  const ran = integers ? actual.map(Math.trunc) : [...actual];
  return compareArrays('timesteps_run', ran, expected, integers ? { atol: 0, rtol: 0 } : { atol: 1e-3, rtol: 0 });
}

async function latentChecks(c: ConformanceCase, tensors: TensorStore, steps: Float32Array[], want: Expected, tolerance: Tolerance): Promise<Check[]> {
  const checks: Check[] = [];
  const expectedSteps = want.step_latents ?? [];
  if (expectedSteps.length > 0 && expectedSteps.length !== steps.length) {
    checks.push(compareArrays('step count', [steps.length], [expectedSteps.length], { atol: 0, rtol: 0 }));
  }
  for (let i = 0; i < Math.min(steps.length, expectedSteps.length); i++) {
    const expected = await tensors.values(expectedSteps[i]);
    checks.push(compareArrays(`step_latents[${i}]`, steps[i], expected, latentTolerance(c, tolerance, expected)));
  }
  if (want.final_latents) {
    const expected = await tensors.values(want.final_latents);
    const last = steps.at(-1) ?? new Float32Array();
    checks.push(compareArrays('final_latents', last, expected, latentTolerance(c, tolerance, expected)));
  }
  return checks;
}

async function promptEmbedsCheck(sd: StableDiffusionModel, input: Inputs, want: Expected, ctx: CaseContext, tolerance: Tolerance): Promise<Check[]> {
  if (!want.prompt_embeds) return [];
  const encoded = encodePrompt(sd.components, {
    prompts: typeof input.prompt === 'string' ? [input.prompt] : input.prompt,
    negativePrompt: input.negative_prompt,
    guidanceScale: input.guidance_scale,
    numImagesPerPrompt: input.num_images_per_prompt ?? 1,
  });
  try {
    return [await checkTensor(ctx.tensors, 'prompt_embeds', encoded.embeds, want.prompt_embeds, tolerance, 'as-is')];
  } finally {
    encoded.embeds.dispose();
  }
}

async function maskChecks(sd: StableDiffusionModel, image: tf.Tensor4D, mask: tf.Tensor4D, want: Expected, ctx: CaseContext, tolerance: Tolerance): Promise<Check[]> {
  const prepared = prepareMask(image, mask, sd.components.vae.downscale);
  try {
    const pairs = [
      ['mask_binarized', prepared.maskBinarized, want.mask_binarized],
      ['mask_latent', prepared.maskLatent, want.mask_latent],
      ['masked_image', prepared.maskedImage, want.masked_image],
    ] as const;
    const checks: Check[] = [];
    for (const [name, actual, expected] of pairs) {
      if (expected) checks.push(await checkTensor(ctx.tensors, name, actual, expected, tolerance, 'nchw'));
    }
    return checks;
  } finally {
    tf.dispose([prepared.maskBinarized, prepared.maskLatent, prepared.maskedImage]);
  }
}

export async function pipelineCase(c: ConformanceCase, ctx: CaseContext): Promise<Check[]> {
  const input = caseField(c, 'inputs', inputsSchema);
  const want = caseField(c, 'expected', expectedSchema);
  const tolerance = caseTolerance(c);
  const sd = await ctx.models.pipeline(ctx.tensors.resolve(modelPath(input.model)), input.config && ctx.tensors.resolve(input.config));
  const owned: tf.Tensor[] = [];
  const load = async (r: z.infer<typeof ref>) => {
    const t = await ctx.tensors.nhwc(r);
    owned.push(t);
    return t;
  };
  const lora = input.lora ? await sd.applyLora(ctx.tensors.resolve(input.lora), input.lora_scale ?? 1) : undefined;
  const imagePrompt = input.ip_adapter ? await prepareImagePrompt(input.ip_adapter, sd, ctx) : undefined;
  try {
    const draws = await Promise.all(input.random_draws.map((d) => load(d.tensor)));
    const noise = replayNoise(draws);
    const stepLatents: Float32Array[] = [];
    const timestepsRun: number[] = [];
    const onStep: StepCallback = async ({ timestep, latents }) => {
      timestepsRun.push(timestep);
      stepLatents.push((await valuesOf(latents, true)) as Float32Array);
    };
    const common: CommonOptions = {
      prompt: input.prompt,
      negativePrompt: input.negative_prompt,
      guidanceScale: input.guidance_scale,
      numInferenceSteps: input.num_inference_steps,
      numImagesPerPrompt: input.num_images_per_prompt,
      scheduler: input.scheduler,
      schedulerConfig: input.scheduler_config,
      noise,
      onStep,
      ...(input.vae ? { decoder: taesdDecoder(await ctx.models.taesd(ctx.tensors.resolve(input.vae))) } : {}),
      ...(imagePrompt ? { imagePrompt: imagePrompt.prompt } : {}),
    };
    const latents = input.latents ? await load(input.latents) : undefined;
    const loadImage = async (image: string | z.infer<typeof ref>, channels: 1 | 3) => {
      if (typeof image !== 'string') return load(image);
      const t = await pngPixels(ctx.tensors.resolve(image), channels);
      owned.push(t);
      return t;
    };
    const image = input.init_image ? await loadImage(input.init_image, 3) : undefined;
    const mask = input.mask_image ? await loadImage(input.mask_image, 1) : undefined;
    const size = { height: input.height, width: input.width };
    const checks: Check[] = [];
    let result;
    if (mask) {
      if (!image) throw new Error('mask_image without init_image');
      result = await sd.inpaint({ ...common, image, mask, latents, strength: input.strength });
      checks.push(...(await maskChecks(sd, image, mask, want, ctx, tolerance)));
    } else if (image) {
      result = await sd.img2img({ ...common, image, strength: input.strength });
    } else {
      result = await sd.txt2img({ ...common, ...size, latents });
    }
    checks.unshift(compareArrays('image', result.pixels, await ctx.tensors.values(want.image), tolerance));
    checks.push(...(await latentChecks(c, ctx.tensors, stepLatents, want, tolerance)));
    if (want.timesteps_run) checks.push(timestepCheck(timestepsRun, want.timesteps_run));
    checks.push(...(await promptEmbedsCheck(sd, input, want, ctx, tolerance)));
    checks.push(compareArrays('random_draws used', [input.random_draws.length - noise.remaining], [input.random_draws.length], { atol: 0, rtol: 0 }));
    return checks;
  } finally {
    imagePrompt?.release();
    lora?.remove();
    tf.dispose(owned);
  }
}

/** A PNG as NHWC float32 in [0, 1] (RGB, or grey for masks), as diffusers' VaeImageProcessor reads PIL images. */
async function pngPixels(file: string, channels: 1 | 3): Promise<tf.Tensor4D> {
  const decoded = sharp(await readFile(file));
  const { data, info } = await (channels === 1 ? decoded.grayscale() : decoded.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
  return tf.tidy(() => tf.div(tf.tensor4d(new Uint8Array(data), [1, info.height, info.width, channels], 'int32'), 255) as tf.Tensor4D);
}

/** Encodes the case's garment image and attaches the adapter; `release` detaches it and frees the tokens. */
async function prepareImagePrompt(ip: NonNullable<Inputs['ip_adapter']>, sd: StableDiffusionModel, ctx: CaseContext) {
  const encoder = await ctx.models.clipVision(ctx.tensors.resolve(ip.image_encoder));
  const adapter = await ctx.models.ipAdapter(ctx.tensors.resolve(ip.weights));
  const pixels = await clipPixelValues(await readFile(ctx.tensors.resolve(ip.image)), parseCLIPImageProcessorConfig(ip.processor_config ?? {}));
  const tokens = encodeImagePrompt(adapter, encoder, pixels);
  pixels.dispose();
  const attached = adapter.attach(sd.unet);
  return {
    prompt: { tokens, scale: ip.scale },
    release: () => {
      attached.detach();
      tf.dispose(tokens);
    },
  };
}
