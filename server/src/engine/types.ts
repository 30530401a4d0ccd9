// Contracts shared by the engine's parts (models, schedulers, pipelines, weights).
// Images and latents are NHWC; weights are keyed by diffusers/transformers parameter names.
import type * as tf from '@tensorflow/tfjs-core';

/** Tensors keyed by the reference implementation's parameter names, in PyTorch layout as stored on disk. */
export type WeightMap = Map<string, tf.Tensor>;

/** A model's parameters, by reference name, in compute layout (see weights/layout.ts). */
export interface ParameterHolder {
  readonly parameters: Map<string, tf.Variable>;
  dispose(): void;
}

/** Draws standard-normal noise of a shape; pipelines pass a seeded source, conformance replays recorded draws. */
export type NoiseSource = (shape: number[]) => tf.Tensor;

/**
 * One denoising algorithm, as diffusers' SchedulerMixin: set the number of steps, read the timesteps,
 * scale the model input, step. A scheduler never touches a model.
 */
export interface Scheduler {
  /** How many model calls one logical step takes (2 for Heun-like; 1 here except PNDM's PRK which we skip). */
  readonly order: number;
  /** Multiplier for the initial noise (1 for DDIM/PNDM/DPM, max sigma for Euler/LMS). */
  readonly initNoiseSigma: number;
  /** Timesteps of the model calls after setTimesteps (floats for Euler/LMS). */
  readonly timesteps: readonly number[];
  /** Sigmas for sigma-based schedulers (trailing 0 included), else undefined. */
  readonly sigmas?: readonly number[];
  setTimesteps(numInferenceSteps: number): void;
  /** Start the step counter part-way (img2img): index into `timesteps`. */
  setBeginIndex(index: number): void;
  scaleModelInput(sample: tf.Tensor, timestep: number): tf.Tensor;
  /** One update; returns the previous (less noisy) sample. Ancestral schedulers draw from `noise`. */
  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor;
  /** Forward-noise clean samples at the given (per-sample) timesteps. */
  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor;
}

/** Per-step callback of every pipeline: return false to stop the run (cancellation). */
export type StepCallback = (info: { step: number; totalSteps: number; timestep: number; latents: tf.Tensor4D }) =>
  | boolean
  | void
  | Promise<boolean | void>;
