// The denoise → decode tail that every pipeline (and the try-on concat engine) runs on an open RunContext:
// the run supplies the UNet input's prompt, guidance, scheduler and noise, so callers pass only what differs.
import type * as tf from '@tensorflow/tfjs-core';
import type { PipelineComponents } from './components.js';
import { decodeImages } from './decode.js';
import { denoise, type DenoiseArgs } from './denoise.js';
import type { PipelineResult } from './options.js';
import type { RunContext } from './run-context.js';

/** What a pipeline decides for its loop; the rest comes from the run. */
export type RunDenoiseArgs = Pick<DenoiseArgs, 'timesteps' | 'latents' | 'extraChannels' | 'onStep' | 'signal'>;

/** The denoising loop with the run's prompt embeddings, guidance, scheduler and noise; consumes `latents`. */
export function denoiseInRun(components: PipelineComponents, run: RunContext, args: RunDenoiseArgs): Promise<tf.Tensor4D> {
  return denoise({
    unet: components.unet,
    scheduler: run.scheduler,
    promptEmbeds: run.prompt.embeds,
    guidance: run.prompt.guidance,
    guidanceScale: run.guidanceScale,
    noise: run.noise,
    imagePrompt: run.imagePrompt,
    ...args,
  });
}

/** Denoises, decodes the final latents (freeing them whatever happens) and reports the run's seeds and warnings. */
export async function denoiseAndDecode(components: PipelineComponents, run: RunContext, args: RunDenoiseArgs): Promise<PipelineResult> {
  const final = await denoiseInRun(components, run, args);
  try {
    const decoded = await decodeImages(run.decoder, final, run.seeds);
    return { ...decoded, seeds: run.seeds, warnings: run.prompt.warnings, timesteps: args.timesteps };
  } finally {
    final.dispose();
  }
}
