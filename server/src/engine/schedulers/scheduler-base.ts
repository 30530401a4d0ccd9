// Pieces every scheduler shares: the disposable interface, per-sample coefficients, add_noise on ᾱ, and
// the step-index bookkeeping of the sigma schedulers (diffusers' _step_index / _begin_index).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource, Scheduler } from '../types.js';

/**
 * A scheduler instance for one run. Tensor ownership: scaleModelInput/step/addNoise return new tensors
 * the caller disposes; they never dispose their arguments. History a multistep scheduler keeps (PNDM,
 * DPM-Solver, LMS) is freed after the last timestep, on setTimesteps, and by dispose() (cancelled runs).
 * A tensor drawn from the step's NoiseSource belongs to the scheduler, which disposes it after use.
 */
export interface DisposableScheduler extends Scheduler {
  /** The diffusers class this reproduces, e.g. "EulerDiscreteScheduler". */
  readonly className: string;
  /** Frees any history tensors; the instance can be reused after setTimesteps. */
  dispose(): void;
  /** Schedulers with a clean-sample estimate per step (LCM): step() and that estimate, both the caller's. */
  stepWithDenoised?(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): { prevSample: tf.Tensor; denoised: tf.Tensor };
}

/** A `[B, 1, 1, …]` tensor of one coefficient per sample, to broadcast over a sample of rank `rank`. */
export function perSample(values: readonly number[], rank: number): tf.Tensor {
  const shape = [values.length, ...new Array<number>(rank - 1).fill(1)];
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}

/** One value per sample: a single timestep applies to the whole batch. */
export function expandPerSample<T>(values: readonly T[], batch: number, what: string): T[] {
  if (values.length === batch) return [...values];
  if (values.length === 1) return new Array<T>(batch).fill(values[0]);
  throw new Error(`${what}: got ${values.length} timesteps for a batch of ${batch}`);
}

/** ᾱ_t at an integer training timestep, with a clear error for anything else. */
export function alphaAt(alphasCumprod: Float32Array, t: number): number {
  if (!Number.isInteger(t) || t < 0 || t >= alphasCumprod.length) {
    throw new RangeError(`timestep must be an integer from 0 to ${alphasCumprod.length - 1}, got ${t}`);
  }
  return alphasCumprod[t];
}

/** DDPM forward process: √ᾱ_t · x0 + √(1-ᾱ_t) · noise, per sample. */
export function addNoiseWithAlphas(
  alphasCumprod: Float32Array,
  original: tf.Tensor,
  noise: tf.Tensor,
  timesteps: readonly number[],
): tf.Tensor {
  assertSameShape(original, noise, 'addNoise (original, noise)');
  const ts = expandPerSample(timesteps, original.shape[0], 'addNoise');
  const alphas = ts.map((t) => alphaAt(alphasCumprod, t));
  return tf.tidy(() =>
    tf.add(
      tf.mul(original, perSample(alphas.map(Math.sqrt), original.rank)),
      tf.mul(noise, perSample(alphas.map((a) => Math.sqrt(1 - a)), original.rank)),
    ),
  );
}

/** x0 and ε from a model output, for the three prediction types (DDIM / DDPM / PNDM parametrisation). */
export function predictOriginalAndEpsilon(
  predictionType: 'epsilon' | 'v_prediction' | 'sample',
  modelOutput: tf.Tensor,
  sample: tf.Tensor,
  alphaProd: number,
): { x0: tf.Tensor; eps: tf.Tensor } {
  const sqrtA = Math.sqrt(alphaProd);
  const sqrtB = Math.sqrt(1 - alphaProd);
  switch (predictionType) {
    case 'epsilon':
      return { x0: tf.div(tf.sub(sample, tf.mul(modelOutput, sqrtB)), sqrtA), eps: modelOutput };
    case 'sample':
      return { x0: modelOutput, eps: tf.div(tf.sub(sample, tf.mul(modelOutput, sqrtA)), sqrtB) };
    case 'v_prediction':
      return {
        x0: tf.sub(tf.mul(sample, sqrtA), tf.mul(modelOutput, sqrtB)),
        eps: tf.add(tf.mul(modelOutput, sqrtA), tf.mul(sample, sqrtB)),
      };
  }
}

/**
 * Where a sigma scheduler is in its timestep list. diffusers finds the first step's index from the
 * timestep (the second match if a timestep repeats) unless img2img set a begin index.
 */
export class StepIndex {
  private begin: number | undefined;
  private current: number | undefined;

  constructor(private readonly schedulerName: string) {}

  get stepIndex(): number | undefined {
    return this.current;
  }

  get beginIndex(): number | undefined {
    return this.begin;
  }

  reset(): void {
    this.begin = undefined;
    this.current = undefined;
  }

  setBegin(index: number, timestepCount: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= timestepCount) {
      throw new RangeError(`${this.schedulerName}: begin index must be from 0 to ${timestepCount - 1}, got ${index}`);
    }
    this.begin = index;
  }

  /** The index of the step about to run, initialising it from `timestep` on first use. */
  resolve(timestep: number, timesteps: readonly number[], fallbackToLast = false): number {
    if (this.current === undefined) {
      this.current = this.begin ?? indexForTimestep(timestep, timesteps, this.schedulerName, fallbackToLast);
    }
    return this.current;
  }

  advance(): void {
    if (this.current !== undefined) this.current += 1;
  }

  /** add_noise's index rule: per timestep before any step/begin index, else the current or begin index. */
  forAddNoise(timesteps: readonly number[], schedule: readonly number[]): number[] {
    if (this.begin === undefined) return timesteps.map((t) => indexForTimestep(t, schedule, this.schedulerName, false));
    return timesteps.map(() => this.current ?? (this.begin as number));
  }
}

function indexForTimestep(
  timestep: number,
  timesteps: readonly number[],
  schedulerName: string,
  fallbackToLast: boolean,
): number {
  const matches: number[] = [];
  timesteps.forEach((t, i) => {
    if (Math.fround(t) === Math.fround(timestep)) matches.push(i);
  });
  if (matches.length === 0) {
    if (fallbackToLast && timesteps.length > 0) return timesteps.length - 1;
    throw new Error(`${schedulerName}: timestep ${timestep} is not one of this run's timesteps (call setTimesteps first)`);
  }
  return matches.length > 1 ? matches[1] : matches[0];
}

/** Model output and sample (or sample and noise) must match; tf's broadcasting error would not say which. */
export function assertSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: shapes differ, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
}

/** Throws unless setTimesteps has run. */
export function requireTimesteps(timesteps: readonly number[], schedulerName: string): void {
  if (timesteps.length === 0) throw new Error(`${schedulerName}: call setTimesteps(numInferenceSteps) before stepping`);
}
