// How diffusers spreads n inference steps over the N training timesteps (Table 2 of Lin et al. 2023,
// "Common Diffusion Noise Schedules and Sample Steps are Flawed"), reproduced with numpy's arithmetic
// so that the resulting timesteps are the same numbers.
import { roundHalfEven } from './noise-schedule.js';

/** numpy.linspace(start, stop, num): arange(num) * step + start, last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** numpy.arange(start, stop, step) for a float step: length ceil((stop-start)/step), start + i·(2nd − 1st). */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(Math.ceil((stop - start) / step), 0);
  const delta = start + step - start;
  return Array.from({ length }, (_, i) => (i === 0 ? start : start + i * delta));
}

const roundAll = (values: number[]): number[] => values.map(roundHalfEven);

/**
 * Descending timesteps of the DDPM/DDIM family (integers) and of Euler/LMS (floats with `linspace`).
 * `leading`: every (N // n)-th timestep from 0, shifted by steps_offset; `trailing`: evenly from N-1 down;
 * `linspace`: evenly between 0 and N-1.
 */
export function spacedTimesteps(
  spacing: 'leading' | 'linspace' | 'trailing',
  numTrainTimesteps: number,
  numInferenceSteps: number,
  stepsOffset: number,
  roundLinspace: boolean,
): number[] {
  const n = numInferenceSteps;
  const N = numTrainTimesteps;
  switch (spacing) {
    case 'leading': {
      const ratio = Math.floor(N / n);
      return Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + stepsOffset);
    }
    case 'linspace': {
      const values = linspace(0, N - 1, n).reverse();
      return roundLinspace ? roundAll(values) : values;
    }
    case 'trailing':
      return roundAll(arange(N, 0, -N / n)).map((t) => t - 1);
  }
}

/**
 * DPM-Solver's variant: n+1 points with the last (t = 0) dropped, over timesteps up to `lastTimestep`
 * (N unless lambda_min_clipped cuts the noisy end).
 */
export function dpmSolverTimesteps(
  spacing: 'leading' | 'linspace' | 'trailing',
  numTrainTimesteps: number,
  lastTimestep: number,
  numInferenceSteps: number,
  stepsOffset: number,
): number[] {
  const n = numInferenceSteps;
  switch (spacing) {
    case 'linspace':
      return roundAll(linspace(0, lastTimestep - 1, n + 1))
        .reverse()
        .slice(0, n);
    case 'leading': {
      const ratio = Math.floor(lastTimestep / (n + 1));
      return Array.from({ length: n }, (_, i) => (n - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return roundAll(arange(lastTimestep, 0, -numTrainTimesteps / n)).map((t) => t - 1);
  }
}
