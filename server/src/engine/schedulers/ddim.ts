// DDIM (Song et al. 2020) with η = 0, as diffusers' DDIMScheduler: a deterministic jump from t to
// t − N/n through the predicted x0 and ε.
import * as tf from '@tensorflow/tfjs-core';
import { alphasCumprod } from './noise-schedule.js';
import {
  addNoiseWithAlphas,
  assertSameShape,
  alphaAt,
  predictOriginalAndEpsilon,
  requireTimesteps,
  type DisposableScheduler,
} from './scheduler-base.js';
import {
  checkInferenceSteps,
  parseSchedulerConfig,
  resolveBaseConfig,
  type BaseSchedulerConfig,
} from './scheduler-config.js';
import { spacedTimesteps } from './timestep-spacing.js';

interface DdimConfig extends BaseSchedulerConfig {
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly setAlphaToOne: boolean;
}

export class DDIMScheduler implements DisposableScheduler {
  readonly className = 'DDIMScheduler';
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly config: DdimConfig;
  readonly alphasCumprod: Float32Array;
  /** ᾱ used past the last step: 1 (a clean image) or ᾱ_0, as SD's configs choose. */
  private readonly finalAlphaCumprod: number;
  private numInferenceSteps = 0;
  private steps: number[] = [];

  constructor(rawConfig: unknown = {}) {
    const config = parseSchedulerConfig(rawConfig, this.className);
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'leading' }),
      clipSample: config.clip_sample ?? true,
      clipSampleRange: config.clip_sample_range ?? 1,
      setAlphaToOne: config.set_alpha_to_one ?? true,
    });
    this.alphasCumprod = alphasCumprod(this.config);
    this.finalAlphaCumprod = this.config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  get timesteps(): readonly number[] {
    return this.steps;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.config;
    checkInferenceSteps(numInferenceSteps, numTrainTimesteps);
    this.numInferenceSteps = numInferenceSteps;
    this.steps = spacedTimesteps(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset, true);
  }

  /** Porting note: DDIM's step is driven by the timestep itself, so a begin index changes nothing. */
  setBeginIndex(_index: number): void {}

  scaleModelInput(sample: tf.Tensor, _timestep: number): tf.Tensor {
    return sample.clone();
  }

  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    assertSameShape(modelOutput, sample, `${this.className}.step (model output, sample)`);
    // Porting note: as diffusers, the previous timestep is t − N // n even where `trailing` spacing
    // makes the next listed timestep differ by one.
    const prevT = timestep - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    const alphaProd = alphaAt(this.alphasCumprod, timestep);
    const alphaProdPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    return tf.tidy(() => {
      const predicted = predictOriginalAndEpsilon(this.config.predictionType, modelOutput, sample, alphaProd);
      const range = this.config.clipSampleRange;
      // As diffusers (use_clipped_model_output=False): only x0 is clipped, ε stays the model's.
      const x0 = this.config.clipSample ? tf.clipByValue(predicted.x0, -range, range) : predicted.x0;
      const eps = predicted.eps;
      return tf.add(tf.mul(x0, Math.sqrt(alphaProdPrev)), tf.mul(eps, Math.sqrt(1 - alphaProdPrev)));
    });
  }

  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor {
    return addNoiseWithAlphas(this.alphasCumprod, original, noise, timesteps);
  }

  dispose(): void {}
}
