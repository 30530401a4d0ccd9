// PNDM in its PLMS form (Liu et al. 2022, skip_prk_steps=True), as diffusers' PNDMScheduler and SD's
// default: a linear multistep (Adams–Bashforth) method on ε with up to four past model outputs.
// The first step is taken twice at the same timestep to get a second-order start.
import * as tf from '@tensorflow/tfjs-core';
import { AlphaSchedulerBase } from './alpha-scheduler-base.js';
import { alphasCumprod } from './noise-schedule.js';
import { parseSchedulerConfig, resolveBaseConfig, type BaseSchedulerConfig } from './scheduler-config.js';

interface PndmConfig extends BaseSchedulerConfig {
  readonly setAlphaToOne: boolean;
}

export class PNDMScheduler extends AlphaSchedulerBase<PndmConfig> {
  override readonly className = 'PNDMScheduler';
  override readonly config: PndmConfig;
  override readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  /** Past ε outputs (at most 4), owned by this scheduler. */
  private ets: tf.Tensor[] = [];
  /** The sample of the first step, reused by the repeated second step. */
  private curSample: tf.Tensor | undefined;
  private counter = 0;

  constructor(rawConfig: unknown = {}) {
    super();
    const config = parseSchedulerConfig(rawConfig, this.className);
    // Porting note: only the PLMS form is implemented, so a config that does not mention
    // skip_prk_steps (diffusers' default is false) gets PLMS; an explicit false is refused.
    if (config.skip_prk_steps === false) {
      throw new Error(`${this.className}: skip_prk_steps=false (PRK warm-up steps) is not supported; SD configs use true`);
    }
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'leading' }),
      setAlphaToOne: config.set_alpha_to_one ?? false,
    });
    if (this.config.predictionType === 'sample') {
      throw new Error(`${this.className}: prediction_type "sample" is not supported (as in diffusers)`);
    }
    this.alphasCumprod = alphasCumprod(this.config);
    this.finalAlphaCumprod = this.config.setAlphaToOne ? 1 : this.alphasCumprod[0];
  }

  /** n + 1 model calls: the second timestep is repeated ([801, 601, 601, 401, …] for 5 steps). */
  override setTimesteps(numInferenceSteps: number): void {
    const descending = this.spacedSteps(numInferenceSteps);
    this.steps = descending.length > 1 ? [descending[0], ...descending.slice(1, 2), ...descending.slice(1)] : descending;
    this.dispose();
  }

  /** Porting note: diffusers' PNDMScheduler has no set_begin_index; its step counter starts at 0 anyway. */
  override setBeginIndex(_index: number): void {}

  override step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    this.checkStepInputs(modelOutput, sample);
    const ratio = this.stepRatio();
    let t = timestep;
    let prevT = timestep - ratio;
    if (this.counter === 1) {
      // The repeated call: step again from the first sample, from the first call's timestep.
      prevT = timestep;
      t = timestep + ratio;
    } else {
      this.ets.push(tf.keep(modelOutput.clone()));
      while (this.ets.length > 4) this.ets.shift()?.dispose();
    }
    const isFirst = this.ets.length === 1 && this.counter === 0;
    const isRepeat = this.ets.length === 1 && this.counter === 1;
    const base = isRepeat && this.curSample ? this.curSample : sample;
    const prev = tf.tidy(() => this.prevSample(base, t, prevT, this.combinedEps(modelOutput, isRepeat)));
    if (isFirst) {
      this.curSample = tf.keep(sample.clone());
    } else if (isRepeat) {
      this.curSample?.dispose();
      this.curSample = undefined;
    }
    this.counter += 1;
    // The last call steps past t = 0; the history is not needed any more.
    if (!isRepeat && prevT < 0) this.dispose();
    return prev;
  }

  /** Frees the ε history and restarts the step counter. */
  override dispose(): void {
    for (const e of this.ets) e.dispose();
    this.ets = [];
    this.curSample?.dispose();
    this.curSample = undefined;
    this.counter = 0;
  }

  /** Adams–Bashforth combination of the stored outputs (the repeat averages the two calls). */
  private combinedEps(modelOutput: tf.Tensor, isRepeat: boolean): tf.Tensor {
    const e = this.ets;
    const n = e.length;
    if (isRepeat) return tf.div(tf.add(modelOutput, e[n - 1]), 2);
    if (n === 1) return modelOutput;
    if (n === 2) return tf.div(tf.sub(tf.mul(e[n - 1], 3), e[n - 2]), 2);
    if (n === 3) return tf.div(tf.add(tf.sub(tf.mul(e[n - 1], 23), tf.mul(e[n - 2], 16)), tf.mul(e[n - 3], 5)), 12);
    const sum = tf.addN([tf.mul(e[n - 1], 55), tf.mul(e[n - 2], -59), tf.mul(e[n - 3], 37), tf.mul(e[n - 4], -9)]);
    return tf.div(sum, 24);
  }

  /** Formula (9) of the PNDM paper: x_{t−δ} from x_t and the combined ε. */
  private prevSample(sample: tf.Tensor, t: number, prevT: number, eps: tf.Tensor): tf.Tensor {
    const { alphaProd, alphaProdPrev } = this.alphaProducts(t, prevT, this.finalAlphaCumprod);
    const betaProd = 1 - alphaProd;
    const betaProdPrev = 1 - alphaProdPrev;
    const modelOutput =
      this.config.predictionType === 'v_prediction'
        ? tf.add(tf.mul(eps, Math.sqrt(alphaProd)), tf.mul(sample, Math.sqrt(betaProd)))
        : eps;
    const sampleCoeff = Math.sqrt(alphaProdPrev / alphaProd);
    const denom = alphaProd * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProd * betaProd * alphaProdPrev);
    return tf.sub(tf.mul(sample, sampleCoeff), tf.mul(modelOutput, (alphaProdPrev - alphaProd) / denom));
  }
}
