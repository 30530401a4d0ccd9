// The state the σ-space schedulers (Euler, Euler ancestral, LMS) share: ᾱ, the σ schedule of a run,
// the step index, and the σ-based scale_model_input / add_noise (diffusers' *DiscreteScheduler family).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import { alphasCumprod } from './noise-schedule.js';
import {
  assertSameShape,
  expandPerSample,
  perSample,
  requireTimesteps,
  StepIndex,
  type DisposableScheduler,
} from './scheduler-base.js';
import {
  checkInferenceSteps,
  resolveBaseConfig,
  type BaseSchedulerConfig,
  type SchedulerConfigInput,
} from './scheduler-config.js';
import { discreteSigmaSchedule, inputScale, sigmaInitNoise, type SigmaScheduleOptions } from './sigma-schedule.js';

/** x0 predicted from the model output at noise level σ (sample = x0 + σ·ε). */
export function sigmaPredictOriginal(
  predictionType: BaseSchedulerConfig['predictionType'],
  modelOutput: tf.Tensor,
  sample: tf.Tensor,
  sigma: number,
): tf.Tensor {
  switch (predictionType) {
    case 'epsilon':
      return tf.sub(sample, tf.mul(modelOutput, sigma));
    case 'v_prediction':
      return tf.add(tf.mul(modelOutput, -sigma / Math.sqrt(sigma * sigma + 1)), tf.div(sample, sigma * sigma + 1));
    case 'sample':
      return modelOutput;
  }
}

/** Base of Euler, Euler ancestral and LMS; subclasses supply step(). */
export abstract class SigmaSchedulerBase implements DisposableScheduler {
  abstract readonly className: string;
  readonly order = 1;
  readonly config: BaseSchedulerConfig;
  readonly alphasCumprod: Float32Array;
  protected readonly index: StepIndex;
  protected steps: number[] = [];
  protected sigmaList: number[] = [];

  protected constructor(
    name: string,
    raw: SchedulerConfigInput,
    private readonly scheduleOptions: SigmaScheduleOptions,
  ) {
    this.config = Object.freeze(resolveBaseConfig(raw, { timestepSpacing: 'linspace' }));
    this.alphasCumprod = alphasCumprod(this.config);
    // A zero-SNR last timestep would make σ infinite; diffusers nudges ᾱ to 2^-24 for these schedulers.
    if (this.config.rescaleBetasZeroSnr) this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    this.index = new StepIndex(name);
  }

  get timesteps(): readonly number[] {
    return this.steps;
  }

  get sigmas(): readonly number[] {
    return this.sigmaList;
  }

  get initNoiseSigma(): number {
    return this.sigmaList.length === 0 ? 1 : sigmaInitNoise(this.sigmaList, this.config.timestepSpacing);
  }

  setTimesteps(numInferenceSteps: number): void {
    checkInferenceSteps(numInferenceSteps, this.config.numTrainTimesteps);
    const schedule = discreteSigmaSchedule(this.config, this.alphasCumprod, numInferenceSteps, this.scheduleOptions);
    this.steps = schedule.timesteps;
    this.sigmaList = schedule.sigmas;
    this.index.reset();
    this.dispose();
  }

  setBeginIndex(index: number): void {
    this.index.setBegin(index, this.steps.length);
  }

  scaleModelInput(sample: tf.Tensor, timestep: number): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    const sigma = this.sigmaList[this.index.resolve(timestep, this.steps)];
    return tf.tidy(() => tf.mul(sample, inputScale(sigma)));
  }

  /** x0 + σ·noise at each sample's timestep (σ-space forward process). */
  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    assertSameShape(original, noise, 'addNoise (original, noise)');
    const ts = expandPerSample(timesteps, original.shape[0], 'addNoise');
    const sigmas = this.index.forAddNoise(ts, this.steps).map((i) => this.sigmaList[i]);
    return tf.tidy(() => tf.add(original, tf.mul(noise, perSample(sigmas, original.rank))));
  }

  /** Default: no history to free. */
  dispose(): void {}

  abstract step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor;

  /** σ at the current step and the next, resolving the index from `timestep` on first use. */
  protected currentSigmas(
    timestep: number,
    modelOutput: tf.Tensor,
    sample: tf.Tensor,
  ): { i: number; sigma: number; sigmaNext: number } {
    requireTimesteps(this.steps, this.className);
    assertSameShape(modelOutput, sample, `${this.className}.step (model output, sample)`);
    const i = this.index.resolve(timestep, this.steps);
    if (i + 1 >= this.sigmaList.length) {
      throw new Error(`${this.className}: step called after the last timestep (${this.steps.length} steps)`);
    }
    return { i, sigma: this.sigmaList[i], sigmaNext: this.sigmaList[i + 1] };
  }
}
