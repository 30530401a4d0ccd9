// How the diffusion engine is configured: which weights, which conditioning, how many steps.
import { z } from 'zod';

export const DiffusionSettingsSchema = z.object({
  /** A diffusers folder of a Stable Diffusion inpainting model (UNet in_channels 9). */
  modelDir: z.string().min(1),
  /**
   * `concat`: CatVTON-style garment image beside the person; `text`: repaint from the description; `ip-adapter`:
   * the garment image as an IP-Adapter image prompt, the title as text, refining the warp's composite.
   */
  mode: z.enum(['concat', 'text', 'ip-adapter']).default('concat'),
  /** ip-adapter mode: the image branch's scale. */
  imagePromptScale: z.number().min(0).max(2).default(0.8),
  /** Folder or file of CatVTON's attention weights (`attention/model.safetensors`); non-commercial licence. */
  catvtonPath: z.string().min(1).optional(),
  /** A store LoRA (kohya/A1111 or diffusers safetensors) for the text mode. */
  loraPath: z.string().min(1).optional(),
  loraScale: z.number().min(0).max(2).default(1),
  /** More LoRAs (the gRPC request's list), applied for this run only, after `loraPath`. */
  loras: z.array(z.object({ path: z.string().min(1), scale: z.number().min(-2).max(2).default(1) })).default([]),
  /** Scheduler by name (engine names: ddim, pndm, euler_a, dpmpp_2m, ...); default: the model's own. */
  scheduler: z.string().min(1).optional(),
  /** Text mode only; default: a short list of common defects. */
  negativePrompt: z.string().optional(),
  steps: z.number().int().min(1).max(150).default(30),
  guidanceScale: z.number().min(0).max(30).default(2.5),
  seed: z.number().int().min(0).default(0),
  /** Height of the person crop the UNet sees (width follows, 3:4), a multiple of 8 (64 per latent cell x8). */
  height: z.number().int().min(64).max(1536).multipleOf(8).default(512),
  /** img2img strength: below 1 the warp result seeds the run (the refine); 1 starts from noise. */
  strength: z.number().min(0.05).max(1).default(0.9),
  /** Cheap previews every N steps (0 = none). */
  previewEvery: z.number().int().min(0).default(1),
});

export type DiffusionSettings = z.input<typeof DiffusionSettingsSchema>;
export type ResolvedDiffusionSettings = z.output<typeof DiffusionSettingsSchema>;
