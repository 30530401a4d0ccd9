// The models `npm run weights` knows: where each lives on the Hugging Face Hub, which files the engine
// needs (diffusers layout), where they go under the models directory, and under which licence.

export interface KnownModel {
  readonly name: string;
  readonly description: string;
  /** Hub repository (owner/name) and revision. */
  readonly repo: string;
  readonly revision: string;
  /** Paths inside the repository; kept at the same relative path under <dir>/<name>/. */
  readonly files: readonly string[];
  readonly licence: string;
  /** True when the licence forbids commercial use: the CLI says so before downloading. */
  readonly nonCommercial: boolean;
  /** What to pass to the try-on (`--model`, `--catvton`). */
  readonly usage: string;
}

const DIFFUSERS_SD15_INPAINT_FILES = [
  'model_index.json',
  'scheduler/scheduler_config.json',
  'text_encoder/config.json',
  'text_encoder/model.safetensors',
  'tokenizer/merges.txt',
  'tokenizer/special_tokens_map.json',
  'tokenizer/tokenizer_config.json',
  'tokenizer/vocab.json',
  'unet/config.json',
  'unet/diffusion_pytorch_model.safetensors',
  'vae/config.json',
  'vae/diffusion_pytorch_model.safetensors',
];

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    name: 'sd15-inpainting',
    description: 'Stable Diffusion 1.5 inpainting (9-channel UNet), diffusers layout, float32 (~4.3 GB)',
    repo: 'stable-diffusion-v1-5/stable-diffusion-inpainting',
    revision: 'main',
    files: DIFFUSERS_SD15_INPAINT_FILES,
    licence: 'CreativeML OpenRAIL-M (use restrictions apply; commercial use allowed)',
    nonCommercial: false,
    usage: '--engine diffusion --model <dir>/sd15-inpainting',
  },
  {
    name: 'catvton',
    description: "CatVTON's self-attention weights for an SD 1.5 inpainting UNet (mix-48k-1024, ~200 MB)",
    repo: 'zhengchong/CatVTON',
    revision: 'main',
    files: ['mix-48k-1024/attention/model.safetensors'],
    licence: 'CC BY-NC-SA 4.0 (non-commercial use only)',
    nonCommercial: true,
    usage: 'CLI: --engine diffusion --model <dir>/sd15-inpainting --catvton <dir>/catvton/mix-48k-1024 --allow-noncommercial; server: only with TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true',
  },
  {
    name: 'taesd',
    description: 'TAESD, a tiny autoencoder for SD 1.x latents (fast previews), diffusers layout (~10 MB)',
    repo: 'madebyollin/taesd',
    revision: 'main',
    files: ['config.json', 'diffusion_pytorch_model.safetensors'],
    licence: 'MIT',
    nonCommercial: false,
    usage: 'found as <dir>/taesd by the server (TRYON_TAESD_MODEL): previews at the working size, DECODER_TAESD, QUALITY_FAST; npm run generate -- --taesd <dir>/taesd',
  },
  {
    name: 'ip-adapter-plus-sd15',
    description: 'IP-Adapter-plus for SD 1.5 (perceiver resampler, 16 image tokens) with its OpenCLIP ViT-H/14 image encoder (~2.6 GB)',
    repo: 'h94/IP-Adapter',
    revision: 'main',
    files: ['models/ip-adapter-plus_sd15.safetensors', 'models/image_encoder/config.json', 'models/image_encoder/model.safetensors'],
    licence: 'Apache-2.0 (adapter), MIT (image encoder)',
    nonCommercial: false,
    usage: 'found as <dir>/ip-adapter-plus-sd15 by the server (TRYON_IP_ADAPTER): the try-on diffusion engine conditions on the product image through it, and Generate takes image_prompt',
  },
  {
    name: 'ip-adapter-sd15',
    description: 'IP-Adapter for SD 1.5 (4 image tokens from the image embedding) with its OpenCLIP ViT-H/14 image encoder (~2.6 GB)',
    repo: 'h94/IP-Adapter',
    revision: 'main',
    files: ['models/ip-adapter_sd15.safetensors', 'models/image_encoder/config.json', 'models/image_encoder/model.safetensors'],
    licence: 'Apache-2.0 (adapter), MIT (image encoder)',
    nonCommercial: false,
    usage: 'set TRYON_IP_ADAPTER=ip-adapter-sd15 to use it instead of the plus adapter',
  },
  {
    name: 'lcm-lora-sdv1-5',
    description: 'LCM-LoRA for Stable Diffusion 1.5: 4-8 step generation with the LCM scheduler (~135 MB)',
    repo: 'latent-consistency/lcm-lora-sdv1-5',
    revision: 'main',
    files: ['pytorch_lora_weights.safetensors'],
    licence: 'OpenRAIL++ (commercial use allowed, use restrictions apply)',
    nonCommercial: false,
    usage: 'found as <dir>/lcm-lora-sdv1-5 by the server (TRYON_LCM_LORA): QUALITY_FAST; npm run generate -- --scheduler lcm --steps 4 --guidance 1 --lora <dir>/lcm-lora-sdv1-5/pytorch_lora_weights.safetensors:1',
  },
];

export function findKnownModel(name: string): KnownModel {
  const model = KNOWN_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`unknown model "${name}"; known: ${KNOWN_MODELS.map((m) => m.name).join(', ')}`);
  return model;
}
