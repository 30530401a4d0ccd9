// The σ-space view shared by Euler, Euler ancestral and LMS (diffusers' *DiscreteScheduler family):
// timesteps (floats), the σ at each, a final σ, and the init_noise_sigma rule.
import { interpAtIndex, karrasSigmas, sigmaToTimestep, trainingSigmas } from './noise-schedule.js';
import type { BaseSchedulerConfig } from './scheduler-config.js';
import { spacedTimesteps } from './timestep-spacing.js';

export interface SigmaSchedule {
  /** Timesteps of the model calls, float32 values as diffusers' float tensor holds them. */
  readonly timesteps: number[];
  /** One σ per timestep, then the final σ (0 unless final_sigmas_type is sigma_min). */
  readonly sigmas: number[];
}

export interface SigmaScheduleOptions {
  readonly interpolation?: 'linear' | 'log_linear';
  readonly karras?: boolean;
  readonly sigmaMin?: number | null;
  readonly sigmaMax?: number | null;
  readonly finalSigma?: 'zero' | 'sigma_min';
}

/** Builds the σ schedule of the Euler/LMS family from ᾱ for n steps. */
export function discreteSigmaSchedule(
  config: BaseSchedulerConfig,
  alphasCumprodF32: Float32Array,
  numInferenceSteps: number,
  options: SigmaScheduleOptions = {},
): SigmaSchedule {
  const trainSigmas = trainingSigmas(alphasCumprodF32);
  const spaced = spacedTimesteps(
    config.timestepSpacing,
    config.numTrainTimesteps,
    numInferenceSteps,
    config.stepsOffset,
    false,
  );
  let timesteps = spaced.map(Math.fround);
  let sigmas: number[];
  if (options.interpolation === 'log_linear') {
    const logMax = Math.log(trainSigmas[trainSigmas.length - 1]);
    const logMin = Math.log(trainSigmas[0]);
    // Porting note: diffusers' torch.linspace(log σ_max, log σ_min, n + 1) gives n + 1 sigmas here (then
    // the final σ is appended too); kept as is so timesteps/sigmas match it.
    sigmas = Array.from({ length: numInferenceSteps + 1 }, (_, i) =>
      Math.exp(logMax + ((logMin - logMax) * i) / numInferenceSteps),
    );
  } else {
    sigmas = timesteps.map((t) => interpAtIndex(t, trainSigmas));
  }
  if (options.karras) {
    const sigmaMin = options.sigmaMin ?? sigmas[sigmas.length - 1];
    const sigmaMax = options.sigmaMax ?? sigmas[0];
    sigmas = karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps);
    const logSigmas = Array.from(trainSigmas, Math.log);
    timesteps = sigmas.map((s) => Math.fround(sigmaToTimestep(s, logSigmas)));
  }
  const a0 = alphasCumprodF32[0];
  const last = options.finalSigma === 'sigma_min' ? Math.sqrt((1 - a0) / a0) : 0;
  return { timesteps, sigmas: [...sigmas, last].map(Math.fround) };
}

/** Euler/LMS start from noise of std max σ; `leading`/other spacings start below σ_max and add 1 in quadrature. */
export function sigmaInitNoise(sigmas: readonly number[], spacing: BaseSchedulerConfig['timestepSpacing']): number {
  const maxSigma = Math.max(...sigmas);
  return spacing === 'linspace' || spacing === 'trailing' ? maxSigma : Math.sqrt(maxSigma * maxSigma + 1);
}

/** x / √(σ² + 1): the input scaling that makes the model see unit-variance samples. */
export function inputScale(sigma: number): number {
  return 1 / Math.sqrt(sigma * sigma + 1);
}
