// Linear multistep in σ-space (k-diffusion's sample_lms), as diffusers' LMSDiscreteScheduler: the
// sample moves by Σ_j c_j · d_{i−j}, c_j = ∫ over [σ_i, σ_{i+1}] of the Lagrange basis polynomial j
// through the last `order` sigmas, d = (x − x0)/σ.
import * as tf from '@tensorflow/tfjs-core';
import { parseSchedulerConfig } from './scheduler-config.js';
import { SigmaSchedulerBase, sigmaPredictOriginal } from './sigma-scheduler-base.js';

const LMS_ORDER = 4;

/** Polynomial coefficients, lowest degree first. */
type Polynomial = number[];

function multiplyLinear(p: Polynomial, root: number, scale: number): Polynomial {
  // p(τ) · (τ − root) · scale
  const out = new Array<number>(p.length + 1).fill(0);
  p.forEach((c, k) => {
    out[k + 1] += c * scale;
    out[k] -= c * root * scale;
  });
  return out;
}

function integrate(p: Polynomial, from: number, to: number): number {
  const antiderivative = (x: number): number => p.reduce((sum, c, k) => sum + (c * x ** (k + 1)) / (k + 1), 0);
  return antiderivative(to) - antiderivative(from);
}

/**
 * ∫_{σ_t}^{σ_{t+1}} ℓ_current(τ) dτ, ℓ the Lagrange basis through σ_t, σ_{t−1}, …, σ_{t−order+1}.
 * Porting note: diffusers integrates numerically (scipy quad); the polynomial integral is exact.
 */
export function lmsCoefficient(sigmas: readonly number[], order: number, t: number, current: number): number {
  let basis: Polynomial = [1];
  for (let k = 0; k < order; k += 1) {
    if (k === current) continue;
    basis = multiplyLinear(basis, sigmas[t - k], 1 / (sigmas[t - current] - sigmas[t - k]));
  }
  return integrate(basis, sigmas[t], sigmas[t + 1]);
}

export class LMSDiscreteScheduler extends SigmaSchedulerBase {
  readonly className = 'LMSDiscreteScheduler';
  /** d = (x − x0)/σ of the last steps, oldest first; owned by this scheduler. */
  private derivatives: tf.Tensor[] = [];

  constructor(rawConfig: unknown = {}) {
    const config = parseSchedulerConfig(rawConfig, 'LMSDiscreteScheduler');
    super('LMSDiscreteScheduler', config, {
      karras: config.use_karras_sigmas ?? false,
    });
  }

  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor): tf.Tensor {
    const { i, sigma } = this.currentSigmas(timestep, modelOutput, sample);
    const derivative = tf.keep(
      tf.tidy(() => {
        const x0 = sigmaPredictOriginal(this.config.predictionType, modelOutput, sample, sigma);
        return tf.div(tf.sub(sample, x0), sigma);
      }),
    );
    this.derivatives.push(derivative);
    while (this.derivatives.length > LMS_ORDER) this.derivatives.shift()?.dispose();
    // As diffusers: the order follows the step index, and pairs with as many derivatives as exist.
    const order = Math.min(i + 1, LMS_ORDER);
    const coefficients = Array.from({ length: order }, (_, j) => lmsCoefficient(this.sigmaList, order, i, j));
    const newestFirst = [...this.derivatives].reverse();
    const used = Math.min(coefficients.length, newestFirst.length);
    const next = tf.tidy(() =>
      tf.addN([sample, ...Array.from({ length: used }, (_, j) => tf.mul(newestFirst[j], coefficients[j]))]),
    );
    this.index.advance();
    if (i + 1 === this.steps.length) this.dispose();
    return next;
  }

  override dispose(): void {
    for (const d of this.derivatives) d.dispose();
    this.derivatives = [];
  }
}
