// The training noise schedule (betas, ᾱ) and the sigma arithmetic the sigma-based schedulers share.
// Values are float32 where diffusers keeps torch float32 tensors, so timesteps and sigmas come out as
// diffusers prints them; scalar coefficients are then computed in float64.
import type { BaseSchedulerConfig } from './scheduler-config.js';

const f32 = Math.fround;

/** torch.linspace(start, end, steps, dtype=float32): float32 step, filled from both ends. */
function linspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f32((f32(end) - f32(start)) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i += 1) {
    out[i] = i < halfway ? f32(start + step * i) : f32(end - step * (steps - i - 1));
  }
  return out;
}

/** The cosine schedule of Nichol & Dhariwal ("squaredcos_cap_v2"), betas capped at 0.999. */
function cosineBetas(numTrainTimesteps: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const betas = new Float32Array(numTrainTimesteps);
  for (let i = 0; i < numTrainTimesteps; i += 1) {
    betas[i] = Math.min(1 - alphaBar((i + 1) / numTrainTimesteps) / alphaBar(i / numTrainTimesteps), 0.999);
  }
  return betas;
}

export function computeBetas(config: BaseSchedulerConfig): Float32Array {
  const n = config.numTrainTimesteps;
  if (config.trainedBetas) {
    if (config.trainedBetas.length !== n) {
      throw new Error(`trained_betas has ${config.trainedBetas.length} values, num_train_timesteps is ${n}`);
    }
    return Float32Array.from(config.trainedBetas);
  }
  switch (config.betaSchedule) {
    case 'linear':
      return linspaceF32(config.betaStart, config.betaEnd, n);
    case 'scaled_linear':
      return linspaceF32(Math.sqrt(config.betaStart), Math.sqrt(config.betaEnd), n).map((b) => f32(b * b));
    case 'squaredcos_cap_v2':
      return cosineBetas(n);
  }
}

/** Cumulative product, accumulated in float64 as torch.cumprod does on CPU, stored as float32. */
function cumprod(alphas: Float32Array): Float32Array {
  const out = new Float32Array(alphas.length);
  let acc = 1;
  for (let i = 0; i < alphas.length; i += 1) {
    acc *= alphas[i];
    out[i] = acc;
  }
  return out;
}

/** Lin et al. 2023: shift √ᾱ so the last timestep has zero SNR (pure noise), keeping the first. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const sqrtBar = Array.from(cumprod(betas.map((b) => 1 - b)), (a) => Math.sqrt(a));
  const first = sqrtBar[0];
  const last = sqrtBar[sqrtBar.length - 1];
  const bar = sqrtBar.map((s) => ((s - last) * first) / (first - last)).map((s) => s * s);
  return Float32Array.from(bar, (a, i) => 1 - (i === 0 ? a : a / bar[i - 1]));
}

/** ᾱ_t for t = 0..N-1 (float32). */
export function alphasCumprod(config: BaseSchedulerConfig): Float32Array {
  let betas = computeBetas(config);
  if (config.rescaleBetasZeroSnr) betas = rescaleZeroTerminalSnr(betas);
  return cumprod(betas.map((b) => f32(1 - b)));
}

/** σ_t = √((1-ᾱ)/ᾱ) for t = 0..N-1, ascending, float32 as diffusers computes it from the float32 ᾱ. */
export function trainingSigmas(alphasCumprodF32: Float32Array): Float32Array {
  return alphasCumprodF32.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

/** numpy.interp(x, [0, 1, …, len-1], fp): piecewise linear, clamped at the ends. */
export function interpAtIndex(x: number, fp: ArrayLike<number>): number {
  if (x <= 0) return fp[0];
  const last = fp.length - 1;
  if (x >= last) return fp[last];
  const i = Math.floor(x);
  const frac = x - i;
  return frac === 0 ? fp[i] : fp[i] + (fp[i + 1] - fp[i]) * frac;
}

/** Karras et al. 2022, ρ = 7: n sigmas from sigmaMax down to sigmaMin, evenly spaced in σ^(1/ρ). */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return Array.from({ length: n }, (_, i) => {
    const ramp = n === 1 ? 0 : i / (n - 1);
    return (maxInv + ramp * (minInv - maxInv)) ** rho;
  });
}

/** The (fractional) training timestep of a sigma, by linear interpolation in log σ (diffusers' _sigma_to_t). */
export function sigmaToTimestep(sigma: number, logSigmas: ArrayLike<number>): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // Highest index whose log σ is at or below this one, kept inside the table.
  let low = 0;
  for (let i = 0; i < logSigmas.length; i += 1) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const high = low + 1;
  const w = Math.min(Math.max((logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]), 0), 1);
  return (1 - w) * low + w * high;
}

/** Python's round(): halves go to the even neighbour (numpy .round() too). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
