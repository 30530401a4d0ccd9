// Inpainting with a 9-channel UNet, as diffusers' StableDiffusionInpaintPipeline.__call__: the UNet sees
// the noisy latents, the (binarised, downsampled) mask and the latents of the image with the hole cut out.
import * as tf from '@tensorflow/tfjs-core';
import type { PipelineComponents } from './components.js';
import { denoiseAndDecode } from './denoise-run.js';
import { PipelineInputError } from './errors.js';
import { encodeImageLatents, repeatToBatch, toModelRange } from './image-latents.js';
import { img2imgTimesteps } from '../schedulers/index.js';
import { checkStrengthSteps } from './img2img.js';
import { checkCommon, checkImageTensor, checkLatentsTensor, type InpaintOptions, type PipelineResult } from './options.js';
import { latentShape, openRun } from './run-context.js';

export interface PreparedMask {
  /** NHWC [B, H, W, 1]: 1 where to repaint (mask >= 0.5), else 0. */
  readonly maskBinarized: tf.Tensor4D;
  /** NHWC [B, H, W, 3] in [-1, 1] with the repainted pixels set to 0. */
  readonly maskedImage: tf.Tensor4D;
  /** NHWC [B, H/f, W/f, 1]: nearest downsample, i.e. the pixel at (f·i, f·j). */
  readonly maskLatent: tf.Tensor4D;
}

/** Mask binarisation, masked image and nearest downsample, as diffusers' mask processor and prepare_mask_latents. */
export function prepareMask(image: tf.Tensor4D, mask: tf.Tensor4D, downscale: number): PreparedMask {
  return tf.tidy(() => {
    const maskBinarized = tf.cast(tf.greaterEqual(mask, 0.5), 'float32') as tf.Tensor4D;
    const maskedImage = tf.mul(toModelRange(image), tf.sub(1, maskBinarized)) as tf.Tensor4D;
    const [b, h, w] = maskBinarized.shape;
    const maskLatent = tf.stridedSlice(maskBinarized, [0, 0, 0, 0], [b, h, w, 1], [1, downscale, downscale, 1]) as tf.Tensor4D;
    return { maskBinarized, maskedImage, maskLatent };
  });
}

export async function inpaint(components: PipelineComponents, opts: InpaintOptions): Promise<PipelineResult> {
  // 1. Check inputs: an inpainting UNet, image and mask of one size.
  const strength = opts.strength ?? 1;
  const steps = opts.numInferenceSteps ?? 50;
  const { height, width } = checkImageTensor('image', opts.image, 3);
  const batch = checkCommon({ ...opts, numInferenceSteps: steps }, height, width);
  checkImageTensor('image', opts.image, 3, batch);
  const maskSize = checkImageTensor('mask', opts.mask, 1, batch);
  if (maskSize.height !== height || maskSize.width !== width) {
    throw new PipelineInputError(`mask is ${maskSize.width}x${maskSize.height} but image is ${width}x${height}`);
  }
  const latentChannels = components.vae.latentChannels;
  if (components.unet.inChannels !== 2 * latentChannels + 1) {
    throw new PipelineInputError(
      `inpaint needs an inpainting UNet with ${2 * latentChannels + 1} input channels, this one has ${components.unet.inChannels}`,
    );
  }
  checkStrengthSteps(steps, strength);
  const shape = latentShape(components, batch, height, width);
  if (opts.latents) checkLatentsTensor(opts.latents, shape);

  // 2. Encode the prompt; timesteps for the strength (all of them at 1).
  const run = openRun(components, opts, batch);
  const own = <T extends tf.Tensor>(t: T): T => {
    run.owned.push(t);
    return t;
  };
  try {
    const timesteps = [...img2imgTimesteps(run.scheduler, steps, strength).timesteps];
    const sigma = run.scheduler.initNoiseSigma;

    // 3. Prepare latents (draw order as diffusers: image latents, noise; then the masked image's sample).
    // Everything is owned by the run until denoise consumes the latents (a second dispose is a no-op).
    let latents: tf.Tensor4D;
    const x = own(toModelRange(opts.image));
    if (opts.latents || strength === 1) {
      const noise = opts.latents ? opts.latents : own(run.noise(shape) as tf.Tensor4D);
      latents = own(tf.tidy(() => tf.mul(noise, sigma) as tf.Tensor4D));
    } else {
      const imageLatents = own(repeatToBatch(own(encodeImageLatents(components.vae, x, run.noise)), batch));
      const noise = own(run.noise(shape));
      latents = own(run.scheduler.addNoise(imageLatents, noise, Array<number>(batch).fill(timesteps[0])) as tf.Tensor4D);
    }

    // 4. Prepare the mask channels: mask and masked-image latents, doubled for guidance.
    const prepared = prepareMask(opts.image, opts.mask, components.vae.downscale);
    own(prepared.maskBinarized);
    own(prepared.maskedImage);
    own(prepared.maskLatent);
    const maskedLatents = own(encodeImageLatents(components.vae, prepared.maskedImage, run.noise));
    const extra = own(
      tf.tidy(() => {
        const both = tf.concat([repeatToBatch(prepared.maskLatent, batch), repeatToBatch(maskedLatents, batch)], 3);
        return (run.prompt.guidance ? tf.concat([both, both], 0) : both) as tf.Tensor4D;
      }),
    );

    // 5. Denoise with the mask channels appended to the UNet input, then decode.
    return await denoiseAndDecode(components, run, { timesteps, latents, extraChannels: extra, onStep: opts.onStep, signal: opts.signal });
  } finally {
    run.release();
  }
}
