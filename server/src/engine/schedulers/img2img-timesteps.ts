// Where img2img starts: diffusers' StableDiffusionImg2ImgPipeline.get_timesteps. Strength s skips the
// first n − ⌊n·s⌋ steps, so the input image is noised to the first remaining timestep and denoised from there.
import type { Scheduler } from '../types.js';

export interface Img2ImgStart {
  /** The timesteps to run (a suffix of scheduler.timesteps). */
  readonly timesteps: readonly number[];
  /** Index of the first of them in scheduler.timesteps (already passed to setBeginIndex). */
  readonly beginIndex: number;
  /** Denoising steps that remain: ⌊n·strength⌋ (PNDM makes one model call more). */
  readonly effectiveSteps: number;
}

/**
 * Sets the scheduler's timesteps for `numSteps`, then its begin index for `strength`, and returns the
 * timesteps to run. The noise for the input latents goes in with addNoise(…, [timesteps[0]]).
 */
export function img2imgTimesteps(scheduler: Scheduler, numSteps: number, strength: number): Img2ImgStart {
  if (!(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be between 0 and 1, got ${strength}`);
  scheduler.setTimesteps(numSteps);
  // Python's int(n * strength) truncates the float product: 0.29 * 100 = 28.999… gives 28 steps.
  const effectiveSteps = Math.min(Math.floor(numSteps * strength), numSteps);
  if (effectiveSteps < 1) {
    throw new RangeError(
      `strength ${strength} with ${numSteps} steps leaves ${effectiveSteps} denoising steps; raise strength or steps`,
    );
  }
  const beginIndex = (numSteps - effectiveSteps) * scheduler.order;
  scheduler.setBeginIndex(beginIndex);
  return { timesteps: scheduler.timesteps.slice(beginIndex), beginIndex, effectiveSteps };
}
