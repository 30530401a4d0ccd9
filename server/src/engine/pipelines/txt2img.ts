// Text to image, as diffusers' StableDiffusionPipeline.__call__.
import * as tf from '@tensorflow/tfjs-core';
import type { PipelineComponents } from './components.js';
import { denoiseAndDecode } from './denoise-run.js';
import { checkCommon, checkLatentsTensor, type PipelineResult, type Txt2ImgOptions } from './options.js';
import { PipelineInputError } from './errors.js';
import { latentShape, openRun } from './run-context.js';

export async function txt2img(components: PipelineComponents, opts: Txt2ImgOptions): Promise<PipelineResult> {
  // 1. Check inputs (nothing allocated yet).
  const height = opts.height ?? 512;
  const width = opts.width ?? 512;
  const batch = checkCommon(opts, height, width);
  if (components.unet.inChannels !== components.vae.latentChannels) {
    throw new PipelineInputError(
      `txt2img needs a UNet with ${components.vae.latentChannels} input channels, this one has ${components.unet.inChannels} (an inpainting model?)`,
    );
  }
  const shape = latentShape(components, batch, height, width);
  if (opts.latents) checkLatentsTensor(opts.latents, shape);

  // 2. Encode the prompt (with the unconditional half when guidance is on) and set up the scheduler.
  const run = openRun(components, opts, batch);
  try {
    run.scheduler.setTimesteps(run.steps);
    const timesteps = [...run.scheduler.timesteps];

    // 3. Prepare latents: given or seeded noise, times the scheduler's initial sigma.
    const initNoise = opts.latents ? tf.clone(opts.latents) : (run.noise(shape) as tf.Tensor4D);
    const latents = tf.tidy(() => tf.mul(initNoise, run.scheduler.initNoiseSigma) as tf.Tensor4D);
    initNoise.dispose();

    // 4. Denoise and decode.
    return await denoiseAndDecode(components, run, { timesteps, latents, onStep: opts.onStep, signal: opts.signal });
  } finally {
    run.release();
  }
}
