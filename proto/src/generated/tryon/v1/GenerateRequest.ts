// Original file: tryon/v1/tryon.proto

import type { LoraRef as _tryon_v1_LoraRef, LoraRef__Output as _tryon_v1_LoraRef__Output } from '../../tryon/v1/LoraRef.js';
import type { Mode as _tryon_v1_Mode, Mode__Output as _tryon_v1_Mode__Output } from '../../tryon/v1/Mode.js';
import type { GarmentCategory as _tryon_v1_GarmentCategory, GarmentCategory__Output as _tryon_v1_GarmentCategory__Output } from '../../tryon/v1/GarmentCategory.js';
import type { Quality as _tryon_v1_Quality, Quality__Output as _tryon_v1_Quality__Output } from '../../tryon/v1/Quality.js';
import type { Decoder as _tryon_v1_Decoder, Decoder__Output as _tryon_v1_Decoder__Output } from '../../tryon/v1/Decoder.js';
import type { GarmentConditioning as _tryon_v1_GarmentConditioning, GarmentConditioning__Output as _tryon_v1_GarmentConditioning__Output } from '../../tryon/v1/GarmentConditioning.js';
import type { Long } from '@grpc/proto-loader';

export interface GenerateRequest {
  /**
   * Empty = the server's default model (for try-on: the default engine's model).
   */
  'model'?: (string);
  /**
   * Applied for this request only and removed after.
   */
  'loras'?: (_tryon_v1_LoraRef)[];
  'mode'?: (_tryon_v1_Mode);
  /**
   * MODE_TRY_ON: the shopper's photo and the product photo.
   */
  'person_image'?: (Buffer | Uint8Array | string);
  'garment_image'?: (Buffer | Uint8Array | string);
  /**
   * MODE_IMAGE_TO_IMAGE and MODE_INPAINT: the starting image.
   */
  'init_image'?: (Buffer | Uint8Array | string);
  /**
   * MODE_INPAINT: white = repaint, black = keep. Any size; resized to the output.
   */
  'mask_image'?: (Buffer | Uint8Array | string);
  'category'?: (_tryon_v1_GarmentCategory);
  'prompt'?: (string);
  'negative_prompt'?: (string);
  'steps'?: (number);
  'guidance_scale'?: (number | string);
  /**
   * Image-to-image / inpaint denoising strength in (0, 1]; 0 = default.
   */
  'strength'?: (number | string);
  /**
   * 0 = a random seed (the seeds used come back in Result.seeds); image i uses seed + i.
   */
  'seed'?: (number | string | Long);
  'num_images'?: (number);
  /**
   * Multiples of 8; 0 = the model's default. Try-on results always have the person photo's size; there
   * `height` (if set) is the height of the person crop the diffusion engine works at.
   */
  'width'?: (number);
  'height'?: (number);
  /**
   * "ddpm", "ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "lms", "lcm"; empty = the model's own.
   */
  'scheduler'?: (string);
  /**
   * Send a JPEG preview every N denoising steps; 0 = no previews. With a TAESD model in the models directory
   * previews are TAESD decodes at the working size, otherwise a latent-to-RGB approximation at 1/8 size.
   */
  'preview_every'?: (number);
  /**
   * MODE_TRY_ON: product metadata that helps the engine (prompt building, category guess).
   */
  'garment_title'?: (string);
  'garment_description'?: (string);
  /**
   * MODE_TRY_ON: "warp" (weights-free), "diffusion", or "" = the server picks.
   */
  'engine'?: (string);
  /**
   * When true, Result.mask_png carries the mask the job painted into (try-on and inpaint).
   */
  'mask_out'?: (boolean);
  /**
   * QUALITY_FAST: few-step generation (LCM scheduler with the configured LCM-LoRA, 4 steps unless `steps` says
   * 2-8, guidance at most 1.5, TAESD decode when present) for text-to-image and diffusion try-on. Without the
   * LCM-LoRA the standard preset runs; Result.preset says which ran.
   */
  'quality'?: (_tryon_v1_Quality);
  /**
   * Which autoencoder decodes the result: DECODER_TAESD is faster, with a little less detail (needs a TAESD
   * model); unspecified = the model's VAE, or TAESD under QUALITY_FAST when present.
   */
  'decoder'?: (_tryon_v1_Decoder);
  /**
   * MODE_TEXT_TO_IMAGE, MODE_IMAGE_TO_IMAGE, MODE_INPAINT: an image prompt (JPEG, PNG or WebP) through the
   * server's IP-Adapter (TRYON_IP_ADAPTER), at image_prompt_scale (0 = 0.6).
   */
  'image_prompt'?: (Buffer | Uint8Array | string);
  'image_prompt_scale'?: (number | string);
  /**
   * MODE_TRY_ON with the diffusion engine: how the product image conditions the generation. Unspecified =
   * IP-Adapter when the server has one, else the garment image beside the person (concat).
   */
  'garment_conditioning'?: (_tryon_v1_GarmentConditioning);
  /**
   * MODE_TRY_ON, IP-Adapter conditioning: how much of the warp engine's composite diffusion repaints, in (0, 1];
   * 0 = 0.6 (the warp's geometry, diffusion's texture, folds and light).
   */
  'refine_strength'?: (number | string);
}

export interface GenerateRequest__Output {
  /**
   * Empty = the server's default model (for try-on: the default engine's model).
   */
  'model': (string);
  /**
   * Applied for this request only and removed after.
   */
  'loras': (_tryon_v1_LoraRef__Output)[];
  'mode': (_tryon_v1_Mode__Output);
  /**
   * MODE_TRY_ON: the shopper's photo and the product photo.
   */
  'person_image': (Buffer);
  'garment_image': (Buffer);
  /**
   * MODE_IMAGE_TO_IMAGE and MODE_INPAINT: the starting image.
   */
  'init_image': (Buffer);
  /**
   * MODE_INPAINT: white = repaint, black = keep. Any size; resized to the output.
   */
  'mask_image': (Buffer);
  'category': (_tryon_v1_GarmentCategory__Output);
  'prompt': (string);
  'negative_prompt': (string);
  'steps': (number);
  'guidance_scale': (number);
  /**
   * Image-to-image / inpaint denoising strength in (0, 1]; 0 = default.
   */
  'strength': (number);
  /**
   * 0 = a random seed (the seeds used come back in Result.seeds); image i uses seed + i.
   */
  'seed': (string);
  'num_images': (number);
  /**
   * Multiples of 8; 0 = the model's default. Try-on results always have the person photo's size; there
   * `height` (if set) is the height of the person crop the diffusion engine works at.
   */
  'width': (number);
  'height': (number);
  /**
   * "ddpm", "ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "lms", "lcm"; empty = the model's own.
   */
  'scheduler': (string);
  /**
   * Send a JPEG preview every N denoising steps; 0 = no previews. With a TAESD model in the models directory
   * previews are TAESD decodes at the working size, otherwise a latent-to-RGB approximation at 1/8 size.
   */
  'preview_every': (number);
  /**
   * MODE_TRY_ON: product metadata that helps the engine (prompt building, category guess).
   */
  'garment_title': (string);
  'garment_description': (string);
  /**
   * MODE_TRY_ON: "warp" (weights-free), "diffusion", or "" = the server picks.
   */
  'engine': (string);
  /**
   * When true, Result.mask_png carries the mask the job painted into (try-on and inpaint).
   */
  'mask_out': (boolean);
  /**
   * QUALITY_FAST: few-step generation (LCM scheduler with the configured LCM-LoRA, 4 steps unless `steps` says
   * 2-8, guidance at most 1.5, TAESD decode when present) for text-to-image and diffusion try-on. Without the
   * LCM-LoRA the standard preset runs; Result.preset says which ran.
   */
  'quality': (_tryon_v1_Quality__Output);
  /**
   * Which autoencoder decodes the result: DECODER_TAESD is faster, with a little less detail (needs a TAESD
   * model); unspecified = the model's VAE, or TAESD under QUALITY_FAST when present.
   */
  'decoder': (_tryon_v1_Decoder__Output);
  /**
   * MODE_TEXT_TO_IMAGE, MODE_IMAGE_TO_IMAGE, MODE_INPAINT: an image prompt (JPEG, PNG or WebP) through the
   * server's IP-Adapter (TRYON_IP_ADAPTER), at image_prompt_scale (0 = 0.6).
   */
  'image_prompt': (Buffer);
  'image_prompt_scale': (number);
  /**
   * MODE_TRY_ON with the diffusion engine: how the product image conditions the generation. Unspecified =
   * IP-Adapter when the server has one, else the garment image beside the person (concat).
   */
  'garment_conditioning': (_tryon_v1_GarmentConditioning__Output);
  /**
   * MODE_TRY_ON, IP-Adapter conditioning: how much of the warp engine's composite diffusion repaints, in (0, 1];
   * 0 = 0.6 (the warp's geometry, diffusion's texture, folds and light).
   */
  'refine_strength': (number);
}
