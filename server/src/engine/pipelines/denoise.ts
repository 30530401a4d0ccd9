// The denoising loop every pipeline shares: scale, UNet on [uncond; cond], guidance, scheduler step.
import * as tf from '@tensorflow/tfjs-core';
import type { ImagePrompt } from '../models/layers/attention.js';
import type { NoiseSource, Scheduler, StepCallback } from '../types.js';
import type { DenoisingUNet } from './components.js';
import { cancellationOf } from '../../cancellation.js';

export interface DenoiseArgs {
  readonly unet: DenoisingUNet;
  readonly scheduler: Scheduler;
  /** The model calls to make (all of scheduler.timesteps, or img2img's tail). */
  readonly timesteps: readonly number[];
  /** Consumed: disposed by the loop (the returned tensor replaces it). */
  readonly latents: tf.Tensor4D;
  readonly promptEmbeds: tf.Tensor3D;
  readonly guidance: boolean;
  readonly guidanceScale: number;
  readonly noise: NoiseSource;
  /** IP-Adapter image tokens, batched like promptEmbeds ([uncond; cond] under guidance). */
  readonly imagePrompt?: ImagePrompt;
  /** Inpainting: channels appended after the scaled latents (mask, masked-image latents), already CFG-sized. */
  readonly extraChannels?: tf.Tensor4D;
  readonly onStep?: StepCallback;
  readonly signal?: AbortSignal;
}

/** One guided noise prediction; a single synchronous tidy. */
function predictNoise(args: DenoiseArgs, latents: tf.Tensor4D, t: number): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = args.scheduler.scaleModelInput(latents, t) as tf.Tensor4D;
    let input = args.guidance ? tf.concat([scaled, scaled], 0) : scaled;
    if (args.extraChannels) input = tf.concat([input, args.extraChannels], 3);
    const eps = args.unet.predict(input, t, args.promptEmbeds, args.imagePrompt);
    if (!args.guidance) return eps;
    const [uncond, cond] = tf.split(eps, 2, 0);
    return tf.add(uncond, tf.mul(tf.sub(cond, uncond), args.guidanceScale)) as tf.Tensor4D;
  });
}

/** Lets gRPC, timers and abort signals run between steps (wasm/cpu kernels are synchronous). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the loop and returns the final latents; on cancellation frees its latents and throws CancelledError. */
export async function denoise(args: DenoiseArgs): Promise<tf.Tensor4D> {
  let latents = args.latents;
  const total = args.timesteps.length;
  try {
    for (let i = 0; i < total; i++) {
      if (args.signal?.aborted) throw cancellationOf(args.signal, { completedSteps: i, totalSteps: total });
      const t = args.timesteps[i];
      const eps = predictNoise(args, latents, t);
      // Porting note: step runs outside tidy because multistep schedulers keep past outputs across steps.
      let next: tf.Tensor4D;
      try {
        next = args.scheduler.step(eps, t, latents, args.noise) as tf.Tensor4D;
      } finally {
        eps.dispose();
      }
      latents.dispose();
      latents = next;
      const keepGoing = await args.onStep?.({ step: i + 1, totalSteps: total, timestep: t, latents });
      if (keepGoing === false) throw cancellationOf(args.signal, { completedSteps: i + 1, totalSteps: total });
      await yieldToEventLoop();
    }
    return latents;
  } catch (err) {
    latents.dispose();
    throw err;
  }
}

/** Frees a scheduler's kept tensors (multistep history) when it has any. */
export function disposeScheduler(scheduler: Scheduler): void {
  (scheduler as Scheduler & { dispose?: () => void }).dispose?.();
}
