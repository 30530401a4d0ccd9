// Garment-image conditioning by spatial concatenation, as CatVTON: the masked person and the garment are
// stacked in latent space (CatVTON stacks along the height — its published weights were trained so), the
// 9-channel inpainting UNet denoises both halves, and the person half is decoded. The unconditional
// branch sees the garment half zeroed.
//
// Porting note: CatVTON removes cross-attention (attn2 returns its input); the engine's UNet keeps it, so
// here it attends to the empty prompt's embedding instead — the text-free conditioning closest to it.
import * as tf from '@tensorflow/tfjs-core';
import { type StableDiffusionModel, denoiseInRun, type LatentDecoder, decodeImages, encodeImageLatents, toModelRange, img2imgTimesteps, openRun, type StepCallback } from '../../../engine/index.js';

export interface ConcatInput {
  /** [1, H, W, 3] in [0, 1]: the person crop (or the warp result when it seeds the run). */
  readonly person: tf.Tensor4D;
  /** [1, H, W, 3] in [0, 1]: the photo's crop that the masked image is cut from. */
  readonly original: tf.Tensor4D;
  /** [1, H, W, 1], 1 = repaint. */
  readonly mask: tf.Tensor4D;
  /** [1, H, W, 3] in [0, 1]: the garment on white, the crop's size. */
  readonly garment: tf.Tensor4D;
  readonly steps: number;
  readonly guidanceScale: number;
  readonly strength: number;
  readonly seed: number;
  readonly scheduler?: string;
  /** Decodes the result instead of the model's VAE (TAESD). */
  readonly decoder?: LatentDecoder;
  readonly onStep: StepCallback;
  readonly signal?: AbortSignal;
}

/** The person half of stacked latents [B, 2h, w, C]. */
export function personHalf(latents: tf.Tensor4D): tf.Tensor4D {
  const [b, h2, w, c] = latents.shape;
  return tf.slice(latents, [0, 0, 0, 0], [b, h2 / 2, w, c]);
}

export async function runConcat(model: StableDiffusionModel, input: ConcatInput): Promise<Uint8Array> {
  const components = model.components;
  const [, height, width] = input.person.shape;
  const run = openRun(
    components,
    { prompt: '', guidanceScale: input.guidanceScale, numInferenceSteps: input.steps, seed: input.seed, scheduler: input.scheduler },
    1,
  );
  const own = <T extends tf.Tensor>(t: T): T => {
    run.owned.push(t);
    return t;
  };
  try {
    const f = components.vae.downscale;
    const maskBinary = own(tf.tidy(() => tf.cast(tf.greaterEqual(input.mask, 0.5), 'float32') as tf.Tensor4D));
    const masked = own(tf.tidy(() => tf.mul(toModelRange(input.original), tf.sub(1, maskBinary)) as tf.Tensor4D));
    const maskedLatent = own(encodeImageLatents(components.vae, masked, run.noise));
    const garmentLatent = own(encodeImageLatents(components.vae, own(toModelRange(input.garment)), run.noise));
    const maskLatent = own(tf.stridedSlice(maskBinary, [0, 0, 0, 0], [1, height, width, 1], [1, f, f, 1]) as tf.Tensor4D);
    const extra = own(
      tf.tidy(() => {
        const maskStack = tf.concat([maskLatent, tf.zerosLike(maskLatent)], 1);
        const cond = tf.concat([maskStack, tf.concat([maskedLatent, garmentLatent], 1)], 3);
        if (!run.prompt.guidance) return cond as tf.Tensor4D;
        const uncond = tf.concat([maskStack, tf.concat([maskedLatent, tf.zerosLike(garmentLatent)], 1)], 3);
        return tf.concat([uncond, cond], 0) as tf.Tensor4D;
      }),
    );
    const shape = [1, (2 * height) / f, width / f, components.vae.latentChannels];
    const timesteps = [...img2imgTimesteps(run.scheduler, input.steps, input.strength).timesteps];
    let latents: tf.Tensor4D;
    const noise = own(run.noise(shape));
    if (input.strength >= 1) {
      latents = tf.tidy(() => tf.mul(noise, run.scheduler.initNoiseSigma) as tf.Tensor4D);
    } else {
      // img2img refine: start from the warp result's latents (garment half from the garment) part-noised.
      const seedLatent = own(encodeImageLatents(components.vae, own(toModelRange(input.person)), run.noise));
      const stacked = own(tf.concat([seedLatent, garmentLatent], 1) as tf.Tensor4D);
      latents = run.scheduler.addNoise(stacked, noise, [timesteps[0]]) as tf.Tensor4D;
    }
    const final = await denoiseInRun(components, run, { timesteps, latents, extraChannels: extra, onStep: input.onStep, signal: input.signal });
    const person = own(personHalf(final));
    final.dispose();
    return (await decodeImages(input.decoder ?? components.vae, person)).images[0]!.data;
  } finally {
    run.release();
  }
}
