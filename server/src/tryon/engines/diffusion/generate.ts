// The `diffusion` engine: crops around the mask, runs either CatVTON-style concatenation (garment image)
// or text-guided inpainting (product description, optional store LoRA), seeded by the warp result when
// strength < 1, and pastes the crop back into a copy of the photo (compositing happens afterwards).
import * as tf from '@tensorflow/tfjs-core';
import { latentPreviews, type AttachedIPAdapter, type ImagePromptTokens, type UNet2DConditionModel, type LatentDecoder, type InpaintOptions, type PipelineResult, type StableDiffusionModel, decodeImages, type StepCallback } from '../../../engine/index.js';
import { TryOnError } from '../../errors.js';
import type { PreparedGarment } from '../../garment/prepare.js';
import type { Mask, RgbImage } from '../../types.js';
import { CATVTON_LICENCE_WARNING } from './catvton-attention.js';
import { personHalf, runConcat } from './concat.js';
import { cropAroundMask, cropTensor, pasteCrop } from './crop.js';
import { loadInpaintingModel } from './inpainting-model.js';
import { DiffusionSettingsSchema, type DiffusionSettings, type ResolvedDiffusionSettings } from './settings.js';

export interface DiffusionDecoders {
  /** Decodes previews at the crop's size (TAESD); without it previews are the latent approximation. */
  readonly preview?: LatentDecoder;
  /** Decodes the result instead of the model's VAE. */
  readonly result?: LatentDecoder;
}

/** The IP-Adapter the ip-adapter mode conditions on: the garment image's tokens, and the adapter to attach. */
export interface GarmentImagePrompt {
  tokens(image: RgbImage): Promise<ImagePromptTokens>;
  attach(unet: UNet2DConditionModel): AttachedIPAdapter;
}

export interface DiffusionInput {
  readonly photo: RgbImage;
  /** Binary, protected parts already removed. */
  readonly mask: Mask;
  readonly garment: PreparedGarment;
  /** The warp engine's result: the img2img seed when strength < 1. */
  readonly warped: RgbImage;
  readonly prompt: string;
  /** The product's title: the ip-adapter mode's text prompt. */
  readonly title?: string;
  readonly settings: DiffusionSettings;
  /**
   * The inpainting model, when the caller holds it (the server leases it from its model registry, so try-on and
   * inpaint share one copy), CatVTON's weights already in it when `settings.catvtonPath` is set; without it the
   * engine loads `settings.modelDir` for this run only (the CLI).
   */
  readonly model?: StableDiffusionModel;
  readonly imagePrompt?: GarmentImagePrompt;
  readonly decoders?: DiffusionDecoders;
  readonly signal?: AbortSignal;
  readonly onStep: (step: number, totalSteps: number, preview?: RgbImage) => Promise<boolean>;
}

/** The garment cut-out on white, at the crop's size, centred (CatVTON's resize-and-pad). */
function garmentOnWhite(garment: PreparedGarment, width: number, height: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { image } = garment;
    const rgba = tf.div(tf.tensor3d(image.data, [image.height, image.width, 4], 'float32'), 255);
    const [rgb, alpha] = tf.split(rgba, [3, 1], 2);
    const onWhite = tf.add(tf.mul(rgb, alpha), tf.sub(1, alpha));
    const scale = Math.min(width / image.width, height / image.height);
    const w = Math.max(1, Math.round(image.width * scale));
    const h = Math.max(1, Math.round(image.height * scale));
    const resized = tf.image.resizeBilinear(onWhite as tf.Tensor3D, [h, w]);
    const top = Math.floor((height - h) / 2);
    const left = Math.floor((width - w) / 2);
    return tf.expandDims(tf.pad(resized, [[top, height - h - top], [left, width - w - left], [0, 0]], 1), 0) as tf.Tensor4D;
  });
}

async function previewRgb(latents: tf.Tensor4D, stacked: boolean, decoder?: LatentDecoder): Promise<RgbImage> {
  const half = stacked ? personHalf(latents) : latents;
  try {
    const [img] = decoder ? (await decodeImages(decoder, half)).images : await latentPreviews(half);
    return img!;
  } finally {
    if (stacked) half.dispose();
  }
}

/** The garment cut-out on white at the crop's size, as RGB bytes (the image prompt's input). */
async function garmentPixels(garment: PreparedGarment, width: number, height: number): Promise<RgbImage> {
  const onWhite = garmentOnWhite(garment, width, height);
  const bytes = tf.tidy(() => tf.cast(tf.round(tf.mul(tf.squeeze(onWhite, [0]), 255)), 'int32'));
  onWhite.dispose();
  try {
    return { width, height, channels: 3, data: Uint8Array.from(await bytes.data()) };
  } finally {
    bytes.dispose();
  }
}

/** Inpaints with the garment as an IP-Adapter image prompt; the adapter is attached for this run only. */
async function refineWithImagePrompt(
  model: StableDiffusionModel,
  imagePrompt: GarmentImagePrompt,
  opts: Omit<InpaintOptions, 'imagePrompt'>,
  garment: RgbImage,
  scale: number,
): Promise<PipelineResult> {
  const tokens = await imagePrompt.tokens(garment);
  const attached = imagePrompt.attach(model.unet);
  try {
    return await model.inpaint({ ...opts, imagePrompt: { tokens, scale } });
  } finally {
    attached.detach();
    tf.dispose(tokens);
  }
}

export async function generateWithDiffusion(input: DiffusionInput): Promise<{ image: RgbImage; warnings: string[] }> {
  const parsed = DiffusionSettingsSchema.safeParse(input.settings);
  if (!parsed.success) throw new TryOnError('BAD_ARGUMENT', `diffusion settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const s = parsed.data;
  const warnings: string[] = [];
  if (s.catvtonPath) warnings.push(CATVTON_LICENCE_WARNING);
  if (s.mode === 'text' && s.catvtonPath) warnings.push('CatVTON attention weights were loaded but the text mode does not use the garment image');
  if (input.model && input.model.components.unet.inChannels !== 9) {
    throw new TryOnError('MODEL_MISSING', `${s.modelDir} is not an inpainting model (UNet in_channels ${input.model.components.unet.inChannels}, needs 9)`);
  }
  const model = input.model ?? (await loadInpaintingModel(s.modelDir, { catvtonPath: s.catvtonPath }));
  try {
    return await generateInCrop(model, input, s, warnings);
  } finally {
    if (!input.model) model.dispose();
  }
}

/** Crops around the mask, generates the crop on `model`, pastes it back into a copy of the photo. */
async function generateInCrop(model: StableDiffusionModel, input: DiffusionInput, s: ResolvedDiffusionSettings, warnings: string[]): Promise<{ image: RgbImage; warnings: string[] }> {
  const height = s.height;
  const width = Math.max(8, Math.round((height * 0.75) / 8) * 8);
  const box = cropAroundMask(input.mask, width, height);
  const { photo } = input;
  const original = cropTensor(photo.data, photo.width, photo.height, 3, box, width, height);
  const seedImage = cropTensor(input.warped.data, photo.width, photo.height, 3, box, width, height);
  const mask = cropTensor(input.mask.data, photo.width, photo.height, 1, box, width, height);
  const stacked = s.mode === 'concat';
  const onStep: StepCallback = async ({ step, totalSteps, latents }) => {
    if (input.signal?.aborted) return false;
    const preview = s.previewEvery > 0 && step % s.previewEvery === 0 ? await previewRgb(latents, stacked, input.decoders?.preview) : undefined;
    return input.onStep(step, totalSteps, preview);
  };
  const applied: { remove(): void }[] = [];
  try {
    const loras = [...(s.loraPath ? [{ path: s.loraPath, scale: s.loraScale }] : []), ...s.loras];
    for (const l of loras) applied.push(await model.applyLora(l.path, l.scale));
    let rgb: Uint8Array;
    if (stacked) {
      const garment = garmentOnWhite(input.garment, width, height);
      try {
        rgb = await runConcat(model, {
          person: s.strength < 1 ? seedImage : original,
          original,
          mask,
          garment,
          steps: s.steps,
          guidanceScale: s.guidanceScale,
          strength: s.strength,
          seed: s.seed,
          scheduler: s.scheduler,
          decoder: input.decoders?.result,
          onStep,
          signal: input.signal,
        });
      } finally {
        garment.dispose();
      }
    } else {
      // Text and IP-Adapter conditioning both inpaint the crop; the IP-Adapter adds the garment as image prompt.
      const inpaint: Omit<InpaintOptions, 'imagePrompt'> = {
        prompt: s.mode === 'ip-adapter' ? (input.title ?? input.prompt) : input.prompt,
        negativePrompt: s.negativePrompt ?? 'deformed, blurry, extra limbs, bad anatomy',
        scheduler: s.scheduler,
        image: s.strength < 1 ? seedImage : original,
        mask,
        strength: s.strength,
        numInferenceSteps: s.steps,
        guidanceScale: s.guidanceScale,
        seed: s.seed,
        decoder: input.decoders?.result,
        onStep,
        signal: input.signal,
      };
      if (s.mode === 'ip-adapter' && !input.imagePrompt) throw new TryOnError('MODEL_MISSING', 'the ip-adapter conditioning needs an IP-Adapter (npm run weights -- ip-adapter-plus-sd15)');
      const result =
        s.mode === 'ip-adapter' && input.imagePrompt
          ? await refineWithImagePrompt(model, input.imagePrompt, inpaint, await garmentPixels(input.garment, width, height), s.imagePromptScale)
          : await model.inpaint(inpaint);
      warnings.push(...result.warnings);
      rgb = result.images[0].data;
    }
    return { image: pasteCrop(photo, box, rgb, width, height), warnings };
  } finally {
    // LoRAs come off newest first so the weights are restored exactly.
    for (const l of applied.reverse()) l.remove();
    tf.dispose([original, seedImage, mask]);
  }
}
