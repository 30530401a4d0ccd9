// Assembles the inputs of one micro-batch: which examples (a seeded permutation per epoch, so the order is a
// function of the step alone), their prepared images, token ids, and all random draws of the step.
import * as tf from '@tensorflow/tfjs-core';
import type { CLIPTokenizer } from '../engine/training.js';
import { loadTrainingImage, type AugmentOptions } from './augment.js';
import type { TrainingExample } from './datasets/types.js';
import { debiasedWeights, minSnrWeights } from './diffusion-loss.js';
import type { StepInputs } from './diffusion-step.js';
import { randomMask } from './masks.js';
import { Purpose, type TrainRandom } from './train-random.js';

export interface BatchSettings {
  readonly batchSize: number;
  readonly augment: AugmentOptions & { resolution: number };
  readonly latentChannels: number;
  readonly downscale: number;
  readonly numTrainTimesteps: number;
  readonly alphasCumprod: Float32Array;
  readonly noiseOffset: number;
  /** Relative sampling weight of each training timestep (uniform when absent). */
  readonly timestepWeights?: Float64Array;
  readonly captionDropout: number;
  readonly minSnrGamma?: number;
  readonly debiasedEstimation?: boolean;
  /** 9-channel UNet: draw random masks. */
  readonly inpaint: boolean;
}

export class BatchBuilder {
  private permutationEpoch = -1;
  private permutation: number[] = [];
  /** Images that failed to decode during training (skipped; the next example takes their place). */
  readonly skipped = new Set<string>();

  constructor(
    private readonly examples: readonly TrainingExample[],
    private readonly tokenizer: CLIPTokenizer,
    private readonly random: TrainRandom,
    private readonly settings: BatchSettings,
    private readonly warn: (message: string) => void,
  ) {}

  private exampleAt(k: number): TrainingExample {
    const n = this.examples.length;
    const epoch = Math.floor(k / n);
    if (epoch !== this.permutationEpoch) {
      this.permutation = this.random.permutation(epoch, n);
      this.permutationEpoch = epoch;
    }
    return this.examples[this.permutation[k % n]];
  }

  /** `micro` counts micro-batches since the start of training (step * accumulation + i). */
  async build(micro: number): Promise<StepInputs> {
    const { batchSize: b, augment, downscale, latentChannels } = this.settings;
    const res = augment.resolution;
    const pixels = new Float32Array(b * res * res * 3);
    const captions: string[] = [];
    const draws = this.random.uniforms(micro, Purpose.augment, 4 * b);
    let k = micro * b;
    for (let i = 0; i < b; i++) {
      for (let attempt = 0; ; attempt++) {
        const example = this.exampleAt(k++);
        try {
          const draw = { cropX: draws[4 * i], cropY: draws[4 * i + 1], flip: draws[4 * i + 2] };
          pixels.set(await loadTrainingImage(example.image, augment, draw), i * res * res * 3);
          captions.push(draws[4 * i + 3] < this.settings.captionDropout ? '' : example.caption);
          break;
        } catch (e) {
          if (!this.skipped.has(example.image)) this.warn(`skipping unreadable image ${example.image}: ${(e as Error).message}`);
          this.skipped.add(example.image);
          if (attempt >= this.examples.length) throw new Error('no training image could be read');
        }
      }
    }
    const h = res / downscale;
    const latentShape = [b, h, h, latentChannels];
    const timesteps = this.sampleTimesteps(micro, b);
    const noise = tf.tidy(() => {
      const base = this.random.normals(micro, Purpose.noise, latentShape) as tf.Tensor4D;
      if (this.settings.noiseOffset === 0) return base;
      const offset = this.random.normals(micro, Purpose.noiseOffset, [b, 1, 1, latentChannels]);
      return tf.add(base, tf.mul(offset, this.settings.noiseOffset)) as tf.Tensor4D;
    });
    const inputs: StepInputs = {
      pixels: tf.tensor4d(pixels, [b, res, res, 3]),
      inputIds: this.tokenizer.encodeBatch(captions).inputIds,
      vaeEps: this.random.normals(micro, Purpose.vaeSample, latentShape) as tf.Tensor4D,
      noise,
      timesteps,
      lossWeights: this.lossWeights(timesteps),
      inpaint: this.settings.inpaint ? this.masks(micro, b, res, latentShape) : undefined,
    };
    return inputs;
  }

  private sampleTimesteps(micro: number, b: number): number[] {
    const weights = this.settings.timestepWeights;
    if (weights === undefined) return this.random.integers(micro, Purpose.timesteps, b, this.settings.numTrainTimesteps);
    // Inverse CDF of the normalised weights.
    const total = weights.reduce((a, w) => a + w, 0);
    return this.random.uniforms(micro, Purpose.timesteps, b).map((u) => {
      let acc = 0;
      for (let t = 0; t < weights.length; t++) {
        acc += weights[t] / total;
        if (u < acc) return t;
      }
      return weights.length - 1;
    });
  }

  private lossWeights(timesteps: readonly number[]): number[] | undefined {
    const { minSnrGamma, debiasedEstimation, alphasCumprod } = this.settings;
    if (minSnrGamma === undefined && !debiasedEstimation) return undefined;
    const minSnr = minSnrGamma === undefined ? undefined : minSnrWeights(alphasCumprod, timesteps, minSnrGamma);
    const debiased = debiasedEstimation ? debiasedWeights(alphasCumprod, timesteps) : undefined;
    return timesteps.map((_, i) => (minSnr?.[i] ?? 1) * (debiased?.[i] ?? 1));
  }

  private masks(micro: number, b: number, res: number, latentShape: number[]): StepInputs['inpaint'] {
    const u = this.random.uniforms(micro, Purpose.mask, 6 * b);
    const values = new Float32Array(b * res * res);
    for (let i = 0; i < b; i++) values.set(randomMask(res, u.slice(6 * i, 6 * i + 6)), i * res * res);
    return {
      mask: tf.tensor4d(values, [b, res, res, 1]),
      maskedVaeEps: this.random.normals(micro, Purpose.vaeSample + 100, latentShape) as tf.Tensor4D,
    };
  }
}

export function disposeStepInputs(inputs: StepInputs): void {
  tf.dispose([inputs.pixels, inputs.inputIds, inputs.vaeEps, inputs.noise]);
  if (inputs.inpaint) tf.dispose([inputs.inpaint.mask, inputs.inpaint.maskedVaeEps]);
}

/** diffusers' generate_timestep_weights for the earlier / later strategies. */
export function timestepBiasWeights(
  numTimesteps: number,
  strategy: 'none' | 'earlier' | 'later',
  multiplier: number,
  portion: number,
): Float64Array | undefined {
  if (strategy === 'none' || multiplier === 1) return undefined;
  const weights = new Float64Array(numTimesteps).fill(1);
  const count = Math.floor(portion * numTimesteps);
  const start = strategy === 'later' ? numTimesteps - count : 0;
  for (let t = start; t < start + count; t++) weights[t] *= multiplier;
  if (weights.every((w) => w === 0)) throw new Error('timestep bias leaves no timestep to sample');
  return weights;
}
