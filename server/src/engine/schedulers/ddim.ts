// DDIM (Song et al. 2020) with η = 0, as diffusers' DDIMScheduler: a deterministic jump from t to
// t − N/n through the predicted x0 and ε.
import * as tf from '@tensorflow/tfjs-core';
import {
  AlphaSchedulerBase,
  clipPredictedOriginal,
  resolveClipSample,
  type ClipSampleConfig,
} from './alpha-scheduler-base.js';
import { alphasCumprod } from './noise-schedule.js';
import { predictOriginalAndEpsilon } from './scheduler-base.js';
import { parseSchedulerConfig, resolveBaseConfig, type BaseSchedulerConfig } from './scheduler-config.js';

interface DdimConfig extends BaseSchedulerConfig, ClipSampleConfig {
  readonly setAlphaToOne: boolean;
}

export class DDIMScheduler extends AlphaSchedulerBase<DdimConfig> {
  override readonly className = 'DDIMScheduler';
  override readonly config: DdimConfig;
  override readonly alphasCumprod: Float32Array;
  /** ᾱ used past the last step: 1 (a clean image) or ᾱ_0, as SD's configs choose. */
  private readonly finalAlphaCumprod: number;

  constructor(rawConfig: unknown = {}) {
    super();
    const config = parseSchedulerConfig(rawConfig, this.className);
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'leading' }),
      ...resolveClipSample(config),
      setAlphaToOne: config.set_alpha_to_one ?? true,
    });
    this.alphasCumprod = alphasCumprod(this.config);
    this.finalAlphaCumprod = this.config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  override step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    this.checkStepInputs(modelOutput, sample);
    // Porting note: as diffusers, the previous timestep is t − N // n even where `trailing` spacing
    // makes the next listed timestep differ by one.
    const prevT = timestep - this.stepRatio();
    const { alphaProd, alphaProdPrev } = this.alphaProducts(timestep, prevT, this.finalAlphaCumprod);
    return tf.tidy(() => {
      const predicted = predictOriginalAndEpsilon(this.config.predictionType, modelOutput, sample, alphaProd);
      // As diffusers (use_clipped_model_output=False): only x0 is clipped, ε stays the model's.
      const x0 = clipPredictedOriginal(predicted.x0, this.config);
      const eps = predicted.eps;
      return tf.add(tf.mul(x0, Math.sqrt(alphaProdPrev)), tf.mul(eps, Math.sqrt(1 - alphaProdPrev)));
    });
  }
}
