// One training step of Stable Diffusion, as diffusers' train_text_to_image.py: VAE-encode and sample the
// latents (x scaling factor), forward-noise them at random timesteps (DDPM), predict the noise with the UNet
// conditioned on the frozen text encoder, MSE against the noise; gradients for the trainable variables only.
// The 9-channel inpainting UNet also gets the latent-size mask and the masked image's latents.
import * as tf from '@tensorflow/tfjs-core';
import type { CLIPTextModel, UNet2DConditionModel, AutoencoderKL, Scheduler } from '../engine/training.js';
import { checkpointedUNetGrads } from './checkpointed-grads.js';
import { epsilonLoss } from './diffusion-loss.js';
import type { Trainable } from './trainable.js';

export interface TrainingModels {
  readonly unet: UNet2DConditionModel;
  readonly vae: AutoencoderKL;
  readonly textEncoder: CLIPTextModel;
  /** DDPM, for add_noise. */
  readonly noiseScheduler: Pick<Scheduler, 'addNoise'>;
}

export interface StepInputs {
  /** NHWC [B, H, W, 3] in [-1, 1]. */
  readonly pixels: tf.Tensor4D;
  /** int32 [B, 77]. */
  readonly inputIds: tf.Tensor2D;
  /** The VAE sample's standard normal draw, NHWC latent shape. */
  readonly vaeEps: tf.Tensor4D;
  /** The target noise, NHWC latent shape (noise offset already added). */
  readonly noise: tf.Tensor4D;
  readonly timesteps: readonly number[];
  /** Per-sample loss weights (min-SNR); absent = plain mean. */
  readonly lossWeights?: readonly number[];
  /** Inpainting UNet only: mask NHWC [B, H, W, 1] (1 = repaint, binary) and the masked image's VAE draw. */
  readonly inpaint?: { readonly mask: tf.Tensor4D; readonly maskedVaeEps: tf.Tensor4D };
}

export interface StepTrace {
  readonly latents: tf.Tensor4D;
  readonly noisyLatents: tf.Tensor4D;
  readonly encoderHiddenStates: tf.Tensor3D;
  readonly modelPred: tf.Tensor4D;
}

export interface StepResult {
  readonly loss: number;
  /** Gradients by the trainable's names; the caller disposes them. */
  readonly grads: Map<string, tf.Tensor>;
  /** Intermediate tensors when asked for (conformance); the caller disposes them. */
  readonly trace?: StepTrace;
}

function sampleLatents(vae: AutoencoderKL, image: tf.Tensor4D, eps: tf.Tensor4D): tf.Tensor4D {
  const dist = vae.encode(image);
  const latents = tf.mul(tf.add(dist.mean, tf.mul(dist.std, eps)), vae.config.scalingFactor) as tf.Tensor4D;
  tf.dispose([dist.mean, dist.logvar, dist.std]);
  return latents;
}

/** The UNet's input: the noisy latents, plus mask and masked-image latents for a 9-channel UNet. */
function unetInput(models: TrainingModels, inputs: StepInputs, noisy: tf.Tensor4D): tf.Tensor4D {
  const needsMask = models.unet.config.inChannels === 9;
  if (!needsMask) return noisy;
  if (inputs.inpaint === undefined) throw new Error('the inpainting UNet (9 input channels) needs masks: use mode inpaint-lora');
  const { mask, maskedVaeEps } = inputs.inpaint;
  const [, h, w] = noisy.shape;
  const maskedImage = tf.mul(inputs.pixels, tf.sub(1, mask)) as tf.Tensor4D;
  // Nearest resize without half-pixel centres picks pixel (8i, 8j), as F.interpolate(mode="nearest").
  const maskLatent = tf.image.resizeNearestNeighbor(mask, [h, w]);
  return tf.concat([noisy, maskLatent, sampleLatents(models.vae, maskedImage, maskedVaeEps)], 3);
}

/**
 * The loss and the trainable's gradients. A UNet with offloaded weights (SD 1.5 on wasm) is back-propagated
 * stage by stage with activation checkpointing (checkpointed-grads.ts): same gradients, one more forward pass.
 */
export async function lossAndGrads(models: TrainingModels, trainable: Trainable, inputs: StepInputs, opts: { trace?: boolean } = {}): Promise<StepResult> {
  const { unet, textEncoder, noiseScheduler } = models;
  if (unet.offloadsWeights && (trainable.trainsTextEncoder || opts.trace)) {
    throw new Error('a UNet with offloaded weights trains UNet LoRA only (no text-encoder LoRA, no trace)');
  }
  await textEncoder.checkInputIds(inputs.inputIds);
  const frozen = tf.tidy(() => {
    const latents = sampleLatents(models.vae, inputs.pixels, inputs.vaeEps);
    const noisyLatents = noiseScheduler.addNoise(latents, inputs.noise, inputs.timesteps) as tf.Tensor4D;
    const input = unetInput(models, inputs, noisyLatents);
    const states = trainable.trainsTextEncoder ? undefined : textEncoder.forward(inputs.inputIds).lastHiddenState;
    const timesteps = tf.tensor1d([...inputs.timesteps], 'float32');
    return { latents, noisyLatents, input, states, timesteps };
  });
  const names = [...trainable.variables.keys()];
  const variables = names.map((n) => trainable.variables.get(n) as tf.Variable);
  let kept: { pred: tf.Tensor4D; states: tf.Tensor3D } | undefined;
  let trace: StepTrace | undefined;
  try {
    if (unet.offloadsWeights) {
      const states = frozen.states as tf.Tensor3D;
      const lossOf = (pred: tf.Tensor4D) => epsilonLoss(pred, inputs.noise, inputs.lossWeights);
      // Awaited here: the finally below frees the inputs the stages read.
      return await trainable.withEffectiveWeights(() => checkpointedUNetGrads(unet, frozen.input, frozen.timesteps, states, lossOf, trainable.variables));
    }
    const { value, grads } = tf.variableGrads(
      () =>
        trainable.withEffectiveWeights(() => {
          const states = frozen.states ?? textEncoder.forward(inputs.inputIds).lastHiddenState;
          const pred = unet.forward(frozen.input, frozen.timesteps, states);
          if (opts.trace) kept = { pred: tf.keep(pred.clone()), states: tf.keep(states.clone()) };
          return epsilonLoss(pred, inputs.noise, inputs.lossWeights);
        }),
      variables,
    );
    let loss: number;
    try {
      loss = (await value.data())[0];
    } finally {
      value.dispose();
    }
    const byName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => byName.set(n, grads[variables[i].name] ?? tf.zerosLike(variables[i])));
    if (opts.trace && kept) {
      trace = { latents: frozen.latents, noisyLatents: frozen.noisyLatents, encoderHiddenStates: kept.states, modelPred: kept.pred };
    }
    return { loss, grads: byName, trace };
  } finally {
    // Everything but what the trace hands to the caller (also when the step threw).
    const inputIsNoisy = frozen.input === frozen.noisyLatents;
    tf.dispose([frozen.timesteps, ...(frozen.states ? [frozen.states] : []), ...(inputIsNoisy ? [] : [frozen.input])]);
    if (trace === undefined) tf.dispose([frozen.latents, frozen.noisyLatents, ...(kept ? [kept.pred, kept.states] : [])]);
  }
}
