// Seeded standard-normal noise that is the same on every backend: the numbers are made in JS with a
// counter-based PRNG (Philox4x32-10) and Box-Muller, then wrapped in tensors, so wasm, cpu and GPU
// backends start a generation from identical latents for the same seed.
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSource } from './types.js';

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;

/** High 32 bits of a 32x32-bit product; split in 16-bit halves so every partial product is exact in a double. */
function mulHi32(a: number, b: number): number {
  const low = a * (b & 0xffff);
  const high = a * (b >>> 16);
  return Math.floor((high + Math.floor(low / 65536)) / 65536) >>> 0;
}

/** Philox4x32-10 (Salmon et al. 2011) of a 128-bit counter under a 64-bit key: four uint32 words. */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out = new Uint32Array(4)): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulHi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

/** A uint32 as a uniform in (0, 1]: never 0, so log() in Box-Muller stays finite. */
function toUnitInterval(word: number): number {
  return (word + 1) / TWO_POW_32;
}

/** Largest seed accepted: seeds are non-negative integers that fit in a double exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export function assertValidSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
  }
}

/**
 * An endless stream of standard normals for one seed. Each Philox block yields four normals, so value i
 * depends only on (seed, i): the stream can be resumed or split without changing earlier numbers.
 */
export class NormalStream {
  private position = 0;
  private readonly key: [number, number];
  private readonly counter = [0, 0, 0, 0];
  private readonly words = new Uint32Array(4);
  private readonly normals = new Float64Array(4);

  constructor(readonly seed: number) {
    assertValidSeed(seed);
    this.key = [seed % TWO_POW_32, Math.floor(seed / TWO_POW_32)];
  }

  /** How many normals have been drawn so far. */
  get drawn(): number {
    return this.position;
  }

  next(count: number): Float32Array {
    const values = new Float32Array(count);
    let index = this.position;
    for (let i = 0; i < count; ) {
      this.fillBlock(Math.floor(index / 4));
      // A block holds normals 4b..4b+3; take those from `index` on.
      for (let k = index % 4; k < 4 && i < count; k++, i++, index++) values[i] = this.normals[k];
    }
    this.position = index;
    return values;
  }

  private fillBlock(block: number): void {
    this.counter[0] = block % TWO_POW_32;
    this.counter[1] = Math.floor(block / TWO_POW_32);
    philox4x32(this.counter, this.key, this.words);
    for (const pair of [0, 2]) {
      const radius = Math.sqrt(-2 * Math.log(toUnitInterval(this.words[pair])));
      const angle = 2 * Math.PI * toUnitInterval(this.words[pair + 1]);
      this.normals[pair] = radius * Math.cos(angle);
      this.normals[pair + 1] = radius * Math.sin(angle);
    }
  }
}

/** Noise for one seed: successive calls continue the same stream (latents first, then per-step noise). */
export function seededNoise(seed: number): NoiseSource {
  const stream = new NormalStream(seed);
  return (shape) => tf.tensor(stream.next(sizeOf(shape)), shape, 'float32');
}

/**
 * Noise for a batch where image b has its own seed: a draw of shape [B, ...] takes [1, ...] from each
 * image's stream, so image b looks the same whether it is generated alone or in a batch. A draw with a
 * smaller batch (one input image encoded for several outputs) takes from the first streams.
 */
export function perImageNoise(seeds: readonly number[]): NoiseSource {
  const streams = seeds.map((seed) => new NormalStream(seed));
  return (shape) => {
    const batch = shape[0];
    if (!(batch >= 1 && batch <= streams.length)) {
      throw new RangeError(`noise for ${streams.length} seeded images asked for batch ${batch} (shape [${shape.join(', ')}])`);
    }
    const perImage = sizeOf(shape.slice(1));
    const values = new Float32Array(perImage * batch);
    streams.slice(0, batch).forEach((stream, b) => values.set(stream.next(perImage), b * perImage));
    return tf.tensor(values, shape, 'float32');
  };
}

/** Replays recorded tensors in order (conformance: diffusers' randn draws); checks each shape. */
export function replayNoise(draws: readonly tf.Tensor[]): NoiseSource & { readonly remaining: number } {
  let next = 0;
  const source = (shape: number[]): tf.Tensor => {
    if (next >= draws.length) throw new RangeError(`noise replay ran out: draw ${next} of shape [${shape.join(', ')}] was not recorded`);
    const draw = draws[next++];
    if (draw.shape.join(',') !== shape.join(',')) {
      throw new RangeError(`recorded draw ${next - 1} has shape [${draw.shape.join(', ')}], the run asked for [${shape.join(', ')}]`);
    }
    return tf.clone(draw);
  };
  return Object.defineProperty(source, 'remaining', { get: () => draws.length - next }) as NoiseSource & {
    readonly remaining: number;
  };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
