// Euler's method on the probability-flow ODE in σ-space (Karras et al. 2022, Algorithm 2 with
// s_churn = 0), as diffusers' EulerDiscreteScheduler.
import * as tf from '@tensorflow/tfjs-core';
import { parseSchedulerConfig } from './scheduler-config.js';
import { SigmaSchedulerBase, sigmaPredictOriginal } from './sigma-scheduler-base.js';

export class EulerDiscreteScheduler extends SigmaSchedulerBase {
  readonly className = 'EulerDiscreteScheduler';

  constructor(rawConfig: unknown = {}) {
    const config = parseSchedulerConfig(rawConfig, 'EulerDiscreteScheduler');
    if (config.timestep_type === 'continuous') {
      throw new Error('EulerDiscreteScheduler: timestep_type "continuous" is not supported');
    }
    super('EulerDiscreteScheduler', config, {
      interpolation: config.interpolation_type ?? 'linear',
      karras: config.use_karras_sigmas ?? false,
      sigmaMin: config.sigma_min,
      sigmaMax: config.sigma_max,
      finalSigma: config.final_sigmas_type ?? 'zero',
    });
  }

  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    const { sigma, sigmaNext } = this.currentSigmas(timestep, modelOutput, sample);
    const next = tf.tidy(() => {
      const x0 = sigmaPredictOriginal(this.config.predictionType, modelOutput, sample, sigma);
      const derivative = tf.div(tf.sub(sample, x0), sigma);
      return tf.add(sample, tf.mul(derivative, sigmaNext - sigma));
    });
    this.index.advance();
    return next;
  }
}
