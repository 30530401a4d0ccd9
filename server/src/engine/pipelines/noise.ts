// Where a run's random numbers come from: per-image seeds (reported back) or a caller's NoiseSource.
import { randomInt } from 'node:crypto';
import type { NoiseSource } from '../types.js';
import { perImageNoise } from '../random.js';

export interface RunNoise {
  readonly noise: NoiseSource;
  /** One per image; empty when the caller supplied the noise. */
  readonly seeds: number[];
}

/** Random seeds stay below 2^32 so they are easy to read back and type in. */
const RANDOM_SEED_BOUND = 2 ** 32;

export function runNoise(batch: number, seed: number | readonly number[] | undefined, noise: NoiseSource | undefined): RunNoise {
  if (noise) return { noise, seeds: [] };
  const base = seed ?? randomInt(0, RANDOM_SEED_BOUND - batch);
  const seeds = typeof base === 'number' ? Array.from({ length: batch }, (_, i) => base + i) : [...base];
  return { noise: perImageNoise(seeds), seeds };
}
