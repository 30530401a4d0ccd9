// Latent Consistency Model sampling (Luo et al. 2023), as diffusers' LCMScheduler: each step maps the sample to
// the model's clean estimate through the consistency boundary condition (c_skip·x + c_out·x0), then, except after
// the last step, noises that estimate forward to the next timestep with fresh noise. LCM-LoRA on SD 1.5 makes
// 4–8 such steps enough.
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from '../types.js';
import { AlphaSchedulerBase, clipPredictedOriginal, type ClipSampleConfig } from './alpha-scheduler-base.js';
import { alphasCumprod } from './noise-schedule.js';
import { alphaAt, predictOriginalAndEpsilon, StepIndex } from './scheduler-base.js';
import { checkInferenceSteps, parseSchedulerConfig, resolveBaseConfig, type BaseSchedulerConfig } from './scheduler-config.js';

interface LcmConfig extends BaseSchedulerConfig, ClipSampleConfig {
  readonly setAlphaToOne: boolean;
  /** The distillation schedule's length; inference timesteps are picked from it. */
  readonly originalInferenceSteps: number;
  /** Multiplies the timestep in the boundary-condition scalings. */
  readonly timestepScaling: number;
}

/** The consistency model's σ_data. */
const SIGMA_DATA = 0.5;

export class LCMScheduler extends AlphaSchedulerBase<LcmConfig> {
  override readonly className = 'LCMScheduler';
  override readonly config: LcmConfig;
  override readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly index = new StepIndex('LCMScheduler');

  constructor(rawConfig: unknown = {}) {
    super();
    const config = parseSchedulerConfig(rawConfig, this.className);
    // LCMScheduler's own defaults are SD's schedule, not DDPM's.
    this.config = Object.freeze({
      ...resolveBaseConfig(
        { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', ...stripUndefined(config) },
        { timestepSpacing: 'leading' },
      ),
      clipSample: config.clip_sample ?? false,
      clipSampleRange: config.clip_sample_range ?? 1,
      setAlphaToOne: config.set_alpha_to_one ?? true,
      originalInferenceSteps: config.original_inference_steps ?? 50,
      timestepScaling: config.timestep_scaling ?? 10,
    });
    if (this.config.originalInferenceSteps > this.config.numTrainTimesteps) {
      throw new RangeError(`LCMScheduler: original_inference_steps (${this.config.originalInferenceSteps}) exceeds num_train_timesteps (${this.config.numTrainTimesteps})`);
    }
    this.alphasCumprod = alphasCumprod(this.config);
    this.finalAlphaCumprod = this.config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  /** n timesteps picked evenly (by index) from the descending distillation schedule k·[1…original] − 1. */
  override setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps, originalInferenceSteps } = this.config;
    checkInferenceSteps(numInferenceSteps, numTrainTimesteps);
    if (numInferenceSteps > originalInferenceSteps) {
      throw new RangeError(`LCMScheduler: ${numInferenceSteps} steps exceed original_inference_steps (${originalInferenceSteps}); LCM picks its steps from that schedule`);
    }
    const k = Math.floor(numTrainTimesteps / originalInferenceSteps);
    const origin = Array.from({ length: originalInferenceSteps }, (_, i) => (originalInferenceSteps - i) * k - 1);
    this.numInferenceSteps = numInferenceSteps;
    this.steps = Array.from({ length: numInferenceSteps }, (_, i) => origin[Math.floor((i * originalInferenceSteps) / numInferenceSteps)]);
    this.index.reset();
  }

  override setBeginIndex(index: number): void {
    this.index.setBegin(index, this.steps.length);
  }

  override step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): tf.Tensor {
    const { prevSample, denoised } = this.stepWithDenoised(modelOutput, timestep, sample, noise);
    denoised.dispose();
    return prevSample;
  }

  /** The step's sample for the next timestep and the consistency estimate it was made from (caller disposes both). */
  stepWithDenoised(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, noise?: NoiseSource): { prevSample: tf.Tensor; denoised: tf.Tensor } {
    this.checkStepInputs(modelOutput, sample);
    const i = this.index.resolve(timestep, this.steps);
    const last = i === this.numInferenceSteps - 1;
    const prevT = i + 1 < this.steps.length ? this.steps[i + 1] : timestep;
    const alphaProd = alphaAt(this.alphasCumprod, timestep);
    const alphaProdPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    const scaled = timestep * this.config.timestepScaling;
    const cSkip = SIGMA_DATA ** 2 / (scaled ** 2 + SIGMA_DATA ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + SIGMA_DATA ** 2);
    const denoised = tf.tidy(() => {
      const x0 = clipPredictedOriginal(predictOriginalAndEpsilon(this.config.predictionType, modelOutput, sample, alphaProd).x0, this.config);
      return tf.add(tf.mul(x0, cOut), tf.mul(sample, cSkip));
    });
    this.index.advance();
    if (last) return { prevSample: denoised.clone(), denoised };
    if (!noise) {
      denoised.dispose();
      throw new Error('LCMScheduler.step needs a noise source (it adds fresh noise between steps)');
    }
    const drawn = noise(modelOutput.shape);
    try {
      const prevSample = tf.tidy(() => tf.add(tf.mul(denoised, Math.sqrt(alphaProdPrev)), tf.mul(drawn, Math.sqrt(1 - alphaProdPrev))));
      return { prevSample, denoised };
    } finally {
      drawn.dispose();
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
