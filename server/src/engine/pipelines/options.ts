// Options and results of the pipelines, and checkInputs(): every bad value is rejected here, before any
// tensor exists, with a message that names it.
import type { RgbImage } from '../../image.js';
import type { LatentDecoder } from './components.js';
import type { ImagePromptTokens } from '../models/ip-adapter/image-prompt.js';
import type * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource, StepCallback } from '../types.js';
import { MAX_SEED } from '../random.js';
import { PipelineInputError } from './errors.js';

/** Limits that keep one request from exhausting memory; callers may lower them, never raise them. */
export const LIMITS = {
  maxSteps: 1000,
  minSide: 8,
  maxSide: 2048,
  maxImages: 8,
  maxPromptBatch: 8,
} as const;

export interface CommonOptions {
  /** One prompt, or a list = a batch. */
  prompt: string | readonly string[];
  /** Used only when guidance is on; a single string applies to every prompt. Default "" (unconditional). */
  negativePrompt?: string | readonly string[];
  /** Default 50. */
  numInferenceSteps?: number;
  /** Classifier-free guidance scale; guidance is on only when > 1. Default 7.5. */
  guidanceScale?: number;
  /** Default 512; multiples of 8. img2img and inpaint take them from the image. */
  height?: number;
  width?: number;
  /** Images per prompt. Default 1. */
  numImagesPerPrompt?: number;
  /** One seed for the run (image i gets seed + i) or one per image. Random when absent. */
  seed?: number | readonly number[];
  /** Replaces the seeded noise (conformance replays recorded draws). `seed` is then ignored. */
  noise?: NoiseSource;
  /** Scheduler by name (diffusers class name or alias); default: the model's own. */
  scheduler?: string;
  /** Config keys over the model's scheduler config (e.g. timestep_spacing, use_karras_sigmas). */
  schedulerConfig?: Readonly<Record<string, unknown>>;
  /**
   * Called after every step: `step` counts the steps done (1..totalSteps), `timestep` is the one just run,
   * `latents` the new NHWC latents (owned by the run: read them, do not keep or dispose them). Return false
   * to stop; the run then frees everything and throws CancelledError.
   */
  onStep?: StepCallback;
  signal?: AbortSignal;
  /** Decodes the final latents instead of the model's VAE (TAESD: a fraction of the time, a little less detail). */
  decoder?: LatentDecoder;
  /**
   * An IP-Adapter image prompt for every image of the run (the model needs the adapter attached): the tokens of one
   * image (the caller keeps them) and the image branch's scale.
   */
  imagePrompt?: { tokens: ImagePromptTokens; scale: number };
}

export interface Txt2ImgOptions extends CommonOptions {
  /** Initial noise NHWC [B, h/8, w/8, 4] (not yet multiplied by the scheduler's init_noise_sigma). */
  latents?: tf.Tensor4D;
}

export interface Img2ImgOptions extends CommonOptions {
  /** NHWC [1 or B, H, W, 3] in [0, 1]; its size sets height and width. The caller keeps ownership. */
  image: tf.Tensor4D;
  /** How much of the schedule to run, in (0, 1]. Default 0.8. */
  strength?: number;
}

export interface InpaintOptions extends CommonOptions {
  /** NHWC [1 or B, H, W, 3] in [0, 1]. */
  image: tf.Tensor4D;
  /** NHWC [1 or B, H, W, 1] in [0, 1], 1 = repaint; binarised at 0.5. */
  mask: tf.Tensor4D;
  /** Initial noise as for txt2img (used when strength is 1). */
  latents?: tf.Tensor4D;
  /** Default 1 (start from pure noise). */
  strength?: number;
}

export interface GeneratedImage extends RgbImage {
  /** The seed that made it, when seeded noise was used. */
  readonly seed?: number;
}

export interface PipelineResult {
  readonly images: GeneratedImage[];
  /** All images as float32 NHWC [B, H, W, 3] in [0, 1] (diffusers' output_type="np"). */
  readonly pixels: Float32Array;
  readonly shape: readonly [number, number, number, number];
  /** One per image; empty when a NoiseSource replaced the seeds. */
  readonly seeds: number[];
  /** Documented adjustments, e.g. a prompt truncated to 77 tokens. */
  readonly warnings: string[];
  readonly timesteps: readonly number[];
}

export function promptList(prompt: string | readonly string[]): string[] {
  return typeof prompt === 'string' ? [prompt] : [...prompt];
}

function fail(message: string): never {
  throw new PipelineInputError(message);
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) fail(`${name} must be an integer in [${min}, ${max}], got ${value}`);
}

export function checkSide(name: 'height' | 'width', value: number): void {
  checkInteger(name, value, LIMITS.minSide, LIMITS.maxSide);
  if (value % 8 !== 0) fail(`${name} must be a multiple of 8, got ${value}`);
}

/** Checks what every pipeline shares and returns the batch size (prompts × images per prompt). */
export function checkCommon(opts: CommonOptions, height: number, width: number): number {
  const prompts = promptList(opts.prompt);
  if (prompts.length === 0) fail('prompt must be a string or a non-empty list of strings, got an empty list');
  if (prompts.length > LIMITS.maxPromptBatch) fail(`at most ${LIMITS.maxPromptBatch} prompts per run, got ${prompts.length}`);
  prompts.forEach((p, i) => {
    if (typeof p !== 'string') fail(`prompt ${i} must be a string, got ${typeof p}`);
  });
  if (Array.isArray(opts.negativePrompt) && opts.negativePrompt.length !== prompts.length) {
    fail(`negativePrompt has ${opts.negativePrompt.length} entries but prompt has ${prompts.length}`);
  }
  checkInteger('numInferenceSteps', opts.numInferenceSteps ?? 50, 1, LIMITS.maxSteps);
  const guidance = opts.guidanceScale ?? 7.5;
  if (!Number.isFinite(guidance) || guidance < 0) fail(`guidanceScale must be a finite number >= 0, got ${guidance}`);
  checkSide('height', height);
  checkSide('width', width);
  const perPrompt = opts.numImagesPerPrompt ?? 1;
  checkInteger('numImagesPerPrompt', perPrompt, 1, LIMITS.maxImages);
  const batch = prompts.length * perPrompt;
  if (batch > LIMITS.maxImages) fail(`at most ${LIMITS.maxImages} images per run, got ${prompts.length} prompts × ${perPrompt} = ${batch}`);
  if (Array.isArray(opts.seed) && opts.seed.length !== batch) fail(`seed has ${opts.seed.length} entries but the run makes ${batch} images`);
  for (const seed of typeof opts.seed === 'number' ? [opts.seed] : (opts.seed ?? [])) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) fail(`seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
  }
  return batch;
}

export function checkStrength(strength: number): void {
  if (!Number.isFinite(strength) || strength <= 0 || strength > 1) fail(`strength must be in (0, 1], got ${strength}`);
}

/**
 * An image or mask tensor: NHWC with the right channels, sides multiples of 8, and (when the run's batch
 * is known) a batch of 1 or one that divides it. Returns its size.
 */
export function checkImageTensor(name: string, image: tf.Tensor, channels: number, batch?: number): { height: number; width: number } {
  if (typeof image !== 'object' || image === null || !Array.isArray(image.shape)) fail(`${name} must be a tensor NHWC [B, H, W, ${channels}], got ${typeof image}`);
  if (image.rank !== 4) fail(`${name} must be NHWC [B, H, W, ${channels}], got shape [${image.shape.join(', ')}]`);
  const [b, h, w, c] = image.shape;
  if (c !== channels) fail(`${name} must have ${channels} channel(s), got ${c} (shape [${image.shape.join(', ')}])`);
  if (batch !== undefined && batch % b !== 0) fail(`${name} batch ${b} does not divide the run's ${batch} images`);
  checkSide('height', h);
  checkSide('width', w);
  return { height: h, width: w };
}

export function checkLatentsTensor(latents: tf.Tensor, expected: readonly number[]): void {
  if (latents.shape.join(',') !== expected.join(',')) {
    fail(`latents must have shape [${expected.join(', ')}] (NHWC), got [${latents.shape.join(', ')}]`);
  }
}
