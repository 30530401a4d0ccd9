// Image to image, as diffusers' StableDiffusionImg2ImgPipeline.__call__: noise the image's latents to
// the step that `strength` selects, then denoise from there.
import * as tf from '@tensorflow/tfjs-core';
import { img2imgTimesteps } from '../schedulers/index.js';
import type { PipelineComponents } from './components.js';
import { denoiseAndDecode } from './denoise-run.js';
import { PipelineInputError } from './errors.js';
import { encodeImageLatents, repeatToBatch, toModelRange } from './image-latents.js';
import { checkCommon, checkImageTensor, checkStrength, type Img2ImgOptions, type PipelineResult } from './options.js';
import { openRun } from './run-context.js';

/** Rejects a strength outside (0, 1] or one that leaves no step (trunc(n × strength) < 1), before any work. */
export function checkStrengthSteps(numInferenceSteps: number, strength: number): void {
  checkStrength(strength);
  if (Math.trunc(numInferenceSteps * strength) < 1) {
    throw new PipelineInputError(
      `strength ${strength} × numInferenceSteps ${numInferenceSteps} leaves no step to run; raise one of them`,
    );
  }
}

export async function img2img(components: PipelineComponents, opts: Img2ImgOptions): Promise<PipelineResult> {
  // 1. Check inputs: the image sets the size.
  const strength = opts.strength ?? 0.8;
  const steps = opts.numInferenceSteps ?? 50;
  const { height, width } = checkImageTensor('image', opts.image, 3);
  const batch = checkCommon({ ...opts, numInferenceSteps: steps }, height, width);
  checkImageTensor('image', opts.image, 3, batch);
  checkStrengthSteps(steps, strength);

  // 2. Encode the prompt; set the timesteps that strength keeps.
  const run = openRun(components, opts, batch);
  try {
    const timesteps = [...img2imgTimesteps(run.scheduler, steps, strength).timesteps];

    // 3. Prepare latents: VAE sample of the image (first draw), then noise (second draw) added at the first timestep.
    const x = toModelRange(opts.image);
    run.owned.push(x);
    const imageLatents = encodeImageLatents(components.vae, x, run.noise);
    run.owned.push(imageLatents);
    const batched = repeatToBatch(imageLatents, batch);
    run.owned.push(batched);
    const noise = run.noise(batched.shape);
    run.owned.push(noise);
    const latents = run.scheduler.addNoise(batched, noise, timesteps.slice(0, 1).flatMap((t) => Array<number>(batch).fill(t))) as tf.Tensor4D;

    // 4. Denoise from the start step, then decode.
    return await denoiseAndDecode(components, run, { timesteps, latents, onStep: opts.onStep, signal: opts.signal });
  } finally {
    run.release();
  }
}
