// The parts of a run that every pipeline sets up the same way: batch, prompt, scheduler, noise, and
// the release of all of them whatever happens.
import * as tf from '@tensorflow/tfjs-core';
import type { ImagePrompt } from '../models/layers/attention.js';
import type { NoiseSource, Scheduler } from '../types.js';
import type { LatentDecoder, PipelineComponents } from './components.js';
import { disposeScheduler } from './denoise.js';
import { PipelineInputError } from './errors.js';
import { runNoise } from './noise.js';
import { type CommonOptions, promptList } from './options.js';
import { encodePrompt, type EncodedPrompt } from './prompt.js';

export interface RunContext {
  readonly batch: number;
  readonly prompt: EncodedPrompt;
  readonly scheduler: Scheduler;
  readonly noise: NoiseSource;
  /** Decodes the final latents: the caller's choice, else the model's VAE. */
  readonly decoder: LatentDecoder;
  /** The image prompt's tokens batched like the prompt embeddings ([uncond; cond] under guidance). */
  readonly imagePrompt?: ImagePrompt;
  readonly seeds: number[];
  readonly guidanceScale: number;
  readonly steps: number;
  /** Tensors to free when the run ends (in addition to the prompt embeddings). */
  readonly owned: tf.Tensor[];
  release(): void;
}

export function openRun(components: PipelineComponents, opts: CommonOptions, batch: number): RunContext {
  const guidanceScale = opts.guidanceScale ?? 7.5;
  const steps = opts.numInferenceSteps ?? 50;
  const scheduler = createSchedulerFor(components, opts);
  const { noise, seeds } = runNoise(batch, opts.seed, opts.noise);
  let prompt: EncodedPrompt;
  try {
    prompt = encodePrompt(components, {
      prompts: promptList(opts.prompt),
      negativePrompt: opts.negativePrompt,
      guidanceScale,
      numImagesPerPrompt: opts.numImagesPerPrompt ?? 1,
    });
  } catch (err) {
    disposeScheduler(scheduler);
    throw err;
  }
  const owned: tf.Tensor[] = [];
  const imagePrompt = opts.imagePrompt ? batchedImagePrompt(opts.imagePrompt, prompt.embeds.shape[0], prompt.guidance) : undefined;
  if (imagePrompt) owned.push(imagePrompt.tokens);
  return {
    batch,
    prompt,
    scheduler,
    noise,
    decoder: opts.decoder ?? components.vae,
    imagePrompt,
    seeds,
    guidanceScale,
    steps,
    owned,
    release() {
      prompt.embeds.dispose();
      for (const t of owned) t.dispose();
      owned.length = 0;
      disposeScheduler(scheduler);
    },
  };
}

/** A bad scheduler name or config is the caller's input error, reported before anything is computed. */
function createSchedulerFor(components: PipelineComponents, opts: CommonOptions): Scheduler {
  try {
    return components.createScheduler(opts.scheduler, opts.schedulerConfig);
  } catch (err) {
    throw new PipelineInputError((err as Error).message);
  }
}

/** Latent size of an image size (SD: /8). */
export function latentShape(components: PipelineComponents, batch: number, height: number, width: number): [number, number, number, number] {
  const f = components.vae.downscale;
  return [batch, height / f, width / f, components.vae.latentChannels];
}

/** One image's tokens repeated for every image of the batch, unconditional half first as the prompt embeddings. */
function batchedImagePrompt(prompt: NonNullable<CommonOptions['imagePrompt']>, embedsBatch: number, guidance: boolean): ImagePrompt {
  const { cond, uncond } = prompt.tokens;
  if (cond.shape[0] !== 1 || uncond.shape[0] !== 1) throw new PipelineInputError(`imagePrompt: tokens of one image expected, got [${cond.shape.join(', ')}]`);
  const batch = guidance ? embedsBatch / 2 : embedsBatch;
  const tokens = tf.tidy(() => {
    const repeat = (t: tf.Tensor3D) => tf.tile(t, [batch, 1, 1]);
    return (guidance ? tf.concat([repeat(uncond), repeat(cond)], 0) : repeat(cond)) as tf.Tensor3D;
  });
  return { tokens, scale: prompt.scale };
}
