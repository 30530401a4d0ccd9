// DDPM (Ho et al. 2020), as diffusers' DDPMScheduler: the forward noising used for training, and the
// ancestral reverse step (posterior mean plus variance noise drawn from the noise source).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import {
  AlphaSchedulerBase,
  clipPredictedOriginal,
  resolveClipSample,
  type ClipSampleConfig,
} from './alpha-scheduler-base.js';
import { alphasCumprod } from './noise-schedule.js';
import { predictOriginalAndEpsilon } from './scheduler-base.js';
import { parseSchedulerConfig, resolveBaseConfig, type BaseSchedulerConfig } from './scheduler-config.js';

interface DdpmConfig extends BaseSchedulerConfig, ClipSampleConfig {
  readonly varianceType: 'fixed_small' | 'fixed_small_log' | 'fixed_large';
}

export class DDPMScheduler extends AlphaSchedulerBase<DdpmConfig> {
  override readonly className = 'DDPMScheduler';
  override readonly config: DdpmConfig;
  override readonly alphasCumprod: Float32Array;

  constructor(rawConfig: unknown = {}) {
    super();
    const config = parseSchedulerConfig(rawConfig, this.className);
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'leading' }),
      ...resolveClipSample(config),
      varianceType: config.variance_type ?? 'fixed_small',
    });
    this.alphasCumprod = alphasCumprod(this.config);
  }

  /** Needs `noise` for every timestep above 0 (the posterior variance term). */
  override step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor {
    this.checkStepInputs(modelOutput, sample);
    const t = timestep;
    const prevT = t - this.stepRatio();
    const { alphaProd, alphaProdPrev } = this.alphaProducts(t, prevT, 1);
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
        const predicted = predictOriginalAndEpsilon(this.config.predictionType, modelOutput, sample, alphaProd);
        const x0 = clipPredictedOriginal(predicted.x0, this.config);
        const mean = tf.add(tf.mul(x0, x0Coeff), tf.mul(sample, sampleCoeff));
        return variance ? tf.add(mean, tf.mul(variance, stdDev)) : mean;
      });
    } finally {
      variance?.dispose();
    }
  }

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
