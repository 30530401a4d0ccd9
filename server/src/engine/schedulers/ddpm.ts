// DDPM (Ho et al. 2020), as diffusers' DDPMScheduler: the forward noising used for training, and the
// ancestral reverse step (posterior mean plus variance noise drawn from the noise source).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
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

interface DdpmConfig extends BaseSchedulerConfig {
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly varianceType: 'fixed_small' | 'fixed_small_log' | 'fixed_large';
}

export class DDPMScheduler implements DisposableScheduler {
  readonly className = 'DDPMScheduler';
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly config: DdpmConfig;
  readonly alphasCumprod: Float32Array;
  private numInferenceSteps = 0;
  private steps: number[] = [];

  constructor(rawConfig: unknown = {}) {
    const config = parseSchedulerConfig(rawConfig, this.className);
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'leading' }),
      clipSample: config.clip_sample ?? true,
      clipSampleRange: config.clip_sample_range ?? 1,
      varianceType: config.variance_type ?? 'fixed_small',
    });
    this.alphasCumprod = alphasCumprod(this.config);
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

  /** Porting note: DDPM's step is driven by the timestep itself, so a begin index changes nothing. */
  setBeginIndex(_index: number): void {}

  scaleModelInput(sample: tf.Tensor, _timestep: number): tf.Tensor {
    return sample.clone();
  }

  /** Needs `noise` for every timestep above 0 (the posterior variance term). */
  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    assertSameShape(modelOutput, sample, `${this.className}.step (model output, sample)`);
    const t = timestep;
    const prevT = t - Math.floor(this.config.numTrainTimesteps / this.numInferenceSteps);
    const alphaProd = alphaAt(this.alphasCumprod, t);
    const alphaProdPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : 1;
    const betaProd = 1 - alphaProd;
    const betaProdPrev = 1 - alphaProdPrev;
    const currentAlpha = alphaProd / alphaProdPrev;
    const currentBeta = 1 - currentAlpha;
    const x0Coeff = (Math.sqrt(alphaProdPrev) * currentBeta) / betaProd;
    const sampleCoeff = (Math.sqrt(currentAlpha) * betaProdPrev) / betaProd;
    const stdDev = t > 0 ? this.varianceStd(betaProdPrev / betaProd, currentBeta) : 0;
    if (stdDev > 0 && !noise) throw new Error(`${this.className}.step at t=${t} needs a noise source`);
    const variance = stdDev > 0 && noise ? noise(modelOutput.shape) : undefined;
    try {
      return tf.tidy(() => {
        let { x0 } = predictOriginalAndEpsilon(this.config.predictionType, modelOutput, sample, alphaProd);
        if (this.config.clipSample) x0 = tf.clipByValue(x0, -this.config.clipSampleRange, this.config.clipSampleRange);
        const mean = tf.add(tf.mul(x0, x0Coeff), tf.mul(sample, sampleCoeff));
        return variance ? tf.add(mean, tf.mul(variance, stdDev)) : mean;
      });
    } finally {
      variance?.dispose();
    }
  }

  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor {
    return addNoiseWithAlphas(this.alphasCumprod, original, noise, timesteps);
  }

  dispose(): void {}

  /** The standard deviation of the posterior q(x_{t-1} | x_t, x0) for the configured variance type. */
  private varianceStd(betaRatio: number, currentBeta: number): number {
    const small = Math.max(betaRatio * currentBeta, 1e-20);
    switch (this.config.varianceType) {
      case 'fixed_small':
        return Math.sqrt(small);
      case 'fixed_small_log':
        // diffusers multiplies exp(0.5·log σ²) without a further square root.
        return Math.exp(0.5 * Math.log(small));
      case 'fixed_large':
        return Math.sqrt(currentBeta);
    }
  }
}
