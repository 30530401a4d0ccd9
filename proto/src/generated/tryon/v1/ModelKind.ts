// Original file: tryon/v1/tryon.proto

export const ModelKind = {
  MODEL_KIND_UNSPECIFIED: 'MODEL_KIND_UNSPECIFIED',
  /**
   * A text-to-image Stable Diffusion model (diffusers folder or single-file checkpoint).
   */
  MODEL_KIND_BASE: 'MODEL_KIND_BASE',
  /**
   * An inpainting model (9-channel UNet).
   */
  MODEL_KIND_INPAINT: 'MODEL_KIND_INPAINT',
  MODEL_KIND_LORA: 'MODEL_KIND_LORA',
  /**
   * A model produced by Train (full fine-tune).
   */
  MODEL_KIND_FINE_TUNED: 'MODEL_KIND_FINE_TUNED',
  /**
   * A try-on engine without weights (the embedded "warp" engine).
   */
  MODEL_KIND_TRY_ON: 'MODEL_KIND_TRY_ON',
  /**
   * A TAESD (AutoencoderTiny) folder: fast previews and decodes.
   */
  MODEL_KIND_TAESD: 'MODEL_KIND_TAESD',
  /**
   * An IP-Adapter folder in h94/IP-Adapter's layout (adapter file and image encoder): image prompts.
   */
  MODEL_KIND_IP_ADAPTER: 'MODEL_KIND_IP_ADAPTER',
  /**
   * CatVTON's attention weights for an SD 1.5 inpainting UNet (non-commercial).
   */
  MODEL_KIND_CATVTON: 'MODEL_KIND_CATVTON',
} as const;

export type ModelKind =
  | 'MODEL_KIND_UNSPECIFIED'
  | 0
  /**
   * A text-to-image Stable Diffusion model (diffusers folder or single-file checkpoint).
   */
  | 'MODEL_KIND_BASE'
  | 1
  /**
   * An inpainting model (9-channel UNet).
   */
  | 'MODEL_KIND_INPAINT'
  | 2
  | 'MODEL_KIND_LORA'
  | 3
  /**
   * A model produced by Train (full fine-tune).
   */
  | 'MODEL_KIND_FINE_TUNED'
  | 4
  /**
   * A try-on engine without weights (the embedded "warp" engine).
   */
  | 'MODEL_KIND_TRY_ON'
  | 5
  /**
   * A TAESD (AutoencoderTiny) folder: fast previews and decodes.
   */
  | 'MODEL_KIND_TAESD'
  | 6
  /**
   * An IP-Adapter folder in h94/IP-Adapter's layout (adapter file and image encoder): image prompts.
   */
  | 'MODEL_KIND_IP_ADAPTER'
  | 7
  /**
   * CatVTON's attention weights for an SD 1.5 inpainting UNet (non-commercial).
   */
  | 'MODEL_KIND_CATVTON'
  | 8

export type ModelKind__Output = typeof ModelKind[keyof typeof ModelKind]
