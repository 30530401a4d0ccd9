// The state the ᾱ-space schedulers (DDPM, DDIM, PNDM) share: ᾱ, spaced integer timesteps stepped by
// t − N // n, an identity scale_model_input and add_noise on ᾱ (diffusers' DDPM-family schedulers).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import {
  addNoiseWithAlphas,
  alphaAt,
  assertSameShape,
  requireTimesteps,
  type DisposableScheduler,
} from './scheduler-base.js';
import { checkInferenceSteps, type BaseSchedulerConfig, type SchedulerConfigInput } from './scheduler-config.js';
import { spacedTimesteps } from './timestep-spacing.js';

/** diffusers' x0 clipping of DDPM and DDIM. */
export interface ClipSampleConfig {
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
}

/** clip_sample defaults to true and clip_sample_range to 1, as in diffusers. */
export function resolveClipSample(config: SchedulerConfigInput): ClipSampleConfig {
  return { clipSample: config.clip_sample ?? true, clipSampleRange: config.clip_sample_range ?? 1 };
}

/** x0 clipped to ±clipSampleRange where clipSample is set, else x0 itself. */
export function clipPredictedOriginal(x0: tf.Tensor, config: ClipSampleConfig): tf.Tensor {
  return config.clipSample ? tf.clipByValue(x0, -config.clipSampleRange, config.clipSampleRange) : x0;
}

/** Base of DDPM, DDIM and PNDM; subclasses parse their config, compute ᾱ and supply step(). */
export abstract class AlphaSchedulerBase<C extends BaseSchedulerConfig> implements DisposableScheduler {
  abstract readonly className: string;
  abstract readonly config: C;
  abstract readonly alphasCumprod: Float32Array;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  protected numInferenceSteps = 0;
  protected steps: number[] = [];

  get timesteps(): readonly number[] {
    return this.steps;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.steps = this.spacedSteps(numInferenceSteps);
  }

  /** Porting note: these steps are driven by the timestep itself, so a begin index changes nothing. */
  setBeginIndex(_index: number): void {}

  scaleModelInput(sample: tf.Tensor, _timestep: number): tf.Tensor {
    return sample.clone();
  }

  abstract step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor;

  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor {
    return addNoiseWithAlphas(this.alphasCumprod, original, noise, timesteps);
  }

  dispose(): void {}

  /** Validates n, records it for the step ratio, and returns the descending spaced timesteps. */
  protected spacedSteps(numInferenceSteps: number): number[] {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.config;
    checkInferenceSteps(numInferenceSteps, numTrainTimesteps);
    this.numInferenceSteps = numInferenceSteps;
    return spacedTimesteps(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset, true);
  }

  /** N // n: how far one step jumps in training timesteps. */
  protected stepRatio(): number {
    return Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
  }

  /** The checks every step() starts with: timesteps set, model output shaped like the sample. */
  protected checkStepInputs(modelOutput: tf.Tensor, sample: tf.Tensor): void {
    requireTimesteps(this.steps, this.className);
    assertSameShape(modelOutput, sample, `${this.className}.step (model output, sample)`);
  }

  /** ᾱ at t and at prevT; past the last step (prevT < 0) the latter is `finalAlphaCumprod`. */
  protected alphaProducts(
    t: number,
    prevT: number,
    finalAlphaCumprod: number,
  ): { alphaProd: number; alphaProdPrev: number } {
    const alphaProd = alphaAt(this.alphasCumprod, t);
    const alphaProdPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : finalAlphaCumprod;
    return { alphaProd, alphaProdPrev };
  }
}
