// Euler ancestral sampling (k-diffusion's sample_euler_ancestral), as diffusers'
// EulerAncestralDiscreteScheduler: an Euler step down to σ_down, then fresh noise of std σ_up, so that
// the sample lands at σ_next (σ_down² + σ_up² = σ_next²).
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import { parseSchedulerConfig } from './scheduler-config.js';
import { SigmaSchedulerBase, sigmaPredictOriginal } from './sigma-scheduler-base.js';

export class EulerAncestralDiscreteScheduler extends SigmaSchedulerBase {
  readonly className = 'EulerAncestralDiscreteScheduler';

  constructor(rawConfig: unknown = {}) {
    super('EulerAncestralDiscreteScheduler', parseSchedulerConfig(rawConfig, 'EulerAncestralDiscreteScheduler'), {});
  }

  /** Draws one standard-normal tensor of the model output's shape from `noise` every step (the last too). */
  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor {
    if (!noise) throw new Error(`${this.className}.step needs a noise source (it adds fresh noise every step)`);
    const { sigma, sigmaNext } = this.currentSigmas(timestep, modelOutput, sample);
    const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
    const sigmaDown = Math.sqrt(Math.max(sigmaNext ** 2 - sigmaUp ** 2, 0));
    const drawn = noise(modelOutput.shape);
    try {
      const next = tf.tidy(() => {
        const x0 = sigmaPredictOriginal(this.config.predictionType, modelOutput, sample, sigma);
        const derivative = tf.div(tf.sub(sample, x0), sigma);
        const denoised = tf.add(sample, tf.mul(derivative, sigmaDown - sigma));
        return tf.add(denoised, tf.mul(drawn, sigmaUp));
      });
      this.index.advance();
      return next;
    } finally {
      drawn.dispose();
    }
  }
}
