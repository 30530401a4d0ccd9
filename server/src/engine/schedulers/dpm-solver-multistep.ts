// DPM-Solver++ (Lu et al. 2022) multistep, orders 1–2, as diffusers' DPMSolverMultistepScheduler with
// algorithm_type "dpmsolver++" (data prediction) or "dpmsolver" (noise prediction). The first step has
// no history, so it is first order; with final_sigmas_type "zero" the last step is first order too.
import * as tf from '@tensorflow/tfjs-core';
import { alphasCumprod, interpAtIndex, karrasSigmas, sigmaToTimestep, roundHalfEven, trainingSigmas } from './noise-schedule.js';
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
  parseSchedulerConfig,
  resolveBaseConfig,
  type BaseSchedulerConfig,
} from './scheduler-config.js';
import { dpmSolverTimesteps } from './timestep-spacing.js';

interface DpmSolverConfig extends BaseSchedulerConfig {
  readonly solverOrder: 1 | 2;
  readonly algorithmType: 'dpmsolver++' | 'dpmsolver';
  readonly solverType: 'midpoint' | 'heun';
  readonly lowerOrderFinal: boolean;
  readonly eulerAtFinal: boolean;
  readonly useKarrasSigmas: boolean;
  readonly finalSigmasType: 'zero' | 'sigma_min';
  readonly lambdaMinClipped: number;
}

/** σ → (α_t, σ_t) of the variance-preserving process: α = 1/√(σ²+1), σ_t = σ·α; λ = log(α/σ_t). */
function alphaSigma(sigma: number): { alpha: number; sigmaT: number; lambda: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaT = sigma * alpha;
  return { alpha, sigmaT, lambda: Math.log(alpha) - Math.log(sigmaT) };
}

export class DPMSolverMultistepScheduler implements DisposableScheduler {
  readonly className = 'DPMSolverMultistepScheduler';
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly config: DpmSolverConfig;
  readonly alphasCumprod: Float32Array;
  private readonly index = new StepIndex('DPMSolverMultistepScheduler');
  private steps: number[] = [];
  private sigmaList: number[] = [];
  /** Converted model outputs of the last `solverOrder` steps, oldest first; owned by this scheduler. */
  private history: tf.Tensor[] = [];
  private lowerOrderNums = 0;

  constructor(rawConfig: unknown = {}) {
    const config = parseSchedulerConfig(rawConfig, this.className);
    const order = config.solver_order ?? 2;
    this.config = Object.freeze({
      ...resolveBaseConfig(config, { timestepSpacing: 'linspace' }),
      solverOrder: order === 1 ? 1 : 2,
      algorithmType: config.algorithm_type ?? 'dpmsolver++',
      solverType: config.solver_type ?? 'midpoint',
      lowerOrderFinal: config.lower_order_final ?? true,
      eulerAtFinal: config.euler_at_final ?? false,
      useKarrasSigmas: config.use_karras_sigmas ?? false,
      finalSigmasType: config.final_sigmas_type ?? 'zero',
      lambdaMinClipped: config.lambda_min_clipped ?? -Infinity,
    });
    if (this.config.algorithmType === 'dpmsolver' && this.config.finalSigmasType === 'zero') {
      throw new Error(`${this.className}: final_sigmas_type "zero" needs algorithm_type "dpmsolver++" (as in diffusers)`);
    }
    this.alphasCumprod = alphasCumprod(this.config);
    if (this.config.rescaleBetasZeroSnr) this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
  }

  get timesteps(): readonly number[] {
    return this.steps;
  }

  get sigmas(): readonly number[] {
    return this.sigmaList;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.config;
    checkInferenceSteps(numInferenceSteps, numTrainTimesteps);
    let timesteps = dpmSolverTimesteps(
      timestepSpacing,
      numTrainTimesteps,
      numTrainTimesteps - this.clippedCount(),
      numInferenceSteps,
      stepsOffset,
    );
    const trainSigmas = trainingSigmas(this.alphasCumprod);
    let sigmas: number[];
    if (this.config.useKarrasSigmas) {
      sigmas = karrasSigmas(trainSigmas[0], trainSigmas[trainSigmas.length - 1], numInferenceSteps);
      const logSigmas = Array.from(trainSigmas, Math.log);
      timesteps = sigmas.map((s) => roundHalfEven(sigmaToTimestep(s, logSigmas)));
    } else {
      sigmas = timesteps.map((t) => interpAtIndex(t, trainSigmas));
    }
    const a0 = this.alphasCumprod[0];
    const last = this.config.finalSigmasType === 'sigma_min' ? Math.sqrt((1 - a0) / a0) : 0;
    this.steps = timesteps;
    this.sigmaList = [...sigmas, last].map(Math.fround);
    this.index.reset();
    this.dispose();
  }

  setBeginIndex(index: number): void {
    this.index.setBegin(index, this.steps.length);
  }

  scaleModelInput(sample: tf.Tensor, _timestep: number): tf.Tensor {
    return sample.clone();
  }

  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    assertSameShape(modelOutput, sample, `${this.className}.step (model output, sample)`);
    const i = this.index.resolve(timestep, this.steps, true);
    const n = this.steps.length;
    const { lowerOrderFinal, eulerAtFinal, finalSigmasType, solverOrder } = this.config;
    const finalFirstOrder =
      i === n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmasType === 'zero');
    const converted = tf.keep(tf.tidy(() => this.convertModelOutput(modelOutput, sample, this.sigmaList[i])));
    this.history.push(converted);
    while (this.history.length > solverOrder) this.history.shift()?.dispose();
    // Porting note: diffusers' "lower_order_second" only lowers third order to second; orders here are ≤ 2.
    const firstOrder = solverOrder === 1 || this.lowerOrderNums < 1 || finalFirstOrder;
    const next = tf.tidy(() => (firstOrder ? this.firstOrderUpdate(i, converted, sample) : this.secondOrderUpdate(i, sample)));
    if (this.lowerOrderNums < solverOrder) this.lowerOrderNums += 1;
    this.index.advance();
    if (i === n - 1) this.dispose();
    return next;
  }

  /** α_t·x0 + σ_t·noise at each sample's timestep. */
  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: readonly number[]): tf.Tensor {
    requireTimesteps(this.steps, this.className);
    assertSameShape(original, noise, 'addNoise (original, noise)');
    const ts = expandPerSample(timesteps, original.shape[0], 'addNoise');
    const coeffs = this.index.forAddNoise(ts, this.steps).map((j) => alphaSigma(this.sigmaList[j]));
    return tf.tidy(() =>
      tf.add(
        tf.mul(original, perSample(coeffs.map((c) => c.alpha), original.rank)),
        tf.mul(noise, perSample(coeffs.map((c) => c.sigmaT), original.rank)),
      ),
    );
  }

  /** Frees the model-output history and restarts the order warm-up. */
  dispose(): void {
    for (const t of this.history) t.dispose();
    this.history = [];
    this.lowerOrderNums = 0;
  }

  /** Timesteps cut from the noisy end where λ(t) < lambda_min_clipped (none with the default −∞). */
  private clippedCount(): number {
    const min = this.config.lambdaMinClipped;
    if (min === -Infinity) return 0;
    let count = 0;
    for (let t = this.alphasCumprod.length - 1; t >= 0; t -= 1) {
      const a = this.alphasCumprod[t];
      if (0.5 * Math.log(a) - 0.5 * Math.log(1 - a) < min) count += 1;
      else break;
    }
    return count;
  }

  /** DPM-Solver++ works on predicted x0, DPM-Solver on predicted ε. */
  private convertModelOutput(modelOutput: tf.Tensor, sample: tf.Tensor, sigma: number): tf.Tensor {
    const { alpha, sigmaT } = alphaSigma(sigma);
    const type = this.config.predictionType;
    if (this.config.algorithmType === 'dpmsolver++') {
      if (type === 'epsilon') return tf.div(tf.sub(sample, tf.mul(modelOutput, sigmaT)), alpha);
      if (type === 'v_prediction') return tf.sub(tf.mul(sample, alpha), tf.mul(modelOutput, sigmaT));
      return modelOutput.clone();
    }
    if (type === 'epsilon') return modelOutput.clone();
    if (type === 'v_prediction') return tf.add(tf.mul(modelOutput, alpha), tf.mul(sample, sigmaT));
    return tf.div(tf.sub(sample, tf.mul(modelOutput, alpha)), sigmaT);
  }

  private firstOrderUpdate(i: number, m0: tf.Tensor, sample: tf.Tensor): tf.Tensor {
    const s = alphaSigma(this.sigmaList[i]);
    const t = alphaSigma(this.sigmaList[i + 1]);
    const h = t.lambda - s.lambda;
    if (this.config.algorithmType === 'dpmsolver++') {
      // σ_next = 0 gives λ = +∞: the step lands on x0 (e^{−h} = 0, σ_t/σ_s = 0).
      return tf.sub(tf.mul(sample, t.sigmaT / s.sigmaT), tf.mul(m0, t.alpha * Math.expm1(-h)));
    }
    return tf.sub(tf.mul(sample, t.alpha / s.alpha), tf.mul(m0, t.sigmaT * Math.expm1(h)));
  }

  private secondOrderUpdate(i: number, sample: tf.Tensor): tf.Tensor {
    const [m1, m0] = this.history.slice(-2);
    const t = alphaSigma(this.sigmaList[i + 1]);
    const s0 = alphaSigma(this.sigmaList[i]);
    const s1 = alphaSigma(this.sigmaList[i - 1]);
    const h = t.lambda - s0.lambda;
    const r0 = (s0.lambda - s1.lambda) / h;
    const d1 = tf.mul(tf.sub(m0, m1), 1 / r0);
    const plusPlus = this.config.algorithmType === 'dpmsolver++';
    const midpoint = this.config.solverType === 'midpoint';
    if (plusPlus) {
      const c = t.alpha * Math.expm1(-h);
      const d1Coeff = midpoint ? 0.5 * c : -t.alpha * (Math.expm1(-h) / h + 1);
      return tf.sub(tf.sub(tf.mul(sample, t.sigmaT / s0.sigmaT), tf.mul(m0, c)), tf.mul(d1, d1Coeff));
    }
    const c = t.sigmaT * Math.expm1(h);
    const d1Coeff = midpoint ? 0.5 * c : t.sigmaT * (Math.expm1(h) / h - 1);
    return tf.sub(tf.sub(tf.mul(sample, t.alpha / s0.alpha), tf.mul(m0, c)), tf.mul(d1, d1Coeff));
  }
}
