// GenerateRequest → GenerateSpec: every scalar range-checked (zod), names resolved, images decoded and sized.
// Errors name the field and the bad value; nothing is queued for a request that fails here.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { GenerateRequest__Output } from '@fitting-room/proto';
import type { ModelEntry, ModelKind } from '../model-store/scan.js';
import type { GenerateMode, GenerateSpec, RawImage } from '../worker/runners/types.js';
import type { Category as GarmentCategory } from '../tryon/index.js';
import { decodeImage } from './images.js';
import { InputError } from './errors.js';
import { SCHEDULER_NAMES } from '../engine/index.js';

export const GENERATE_LIMITS = {
  maxSteps: 150,
  defaultSteps: 25,
  maxGuidance: 30,
  defaultGuidance: 7.5,
  tryOnSteps: 30,
  tryOnGuidance: 2.5,
  defaultStrength: 0.8,
  maxImages: 4,
  maxSide: 2048,
  /** img2img / inpaint inputs larger than this on their long side are scaled down. */
  maxInputSide: 1024,
  maxPromptChars: 2000,
  maxLoras: 8,
  maxLoraScale: 4,
  /** QUALITY_FAST: LCM steps by default, the range a request may ask for, and the guidance ceiling. */
  fastSteps: 4,
  fastMinSteps: 2,
  fastMaxSteps: 8,
  fastGuidance: 1,
  fastMaxGuidance: 1.5,
  /** IP-Adapter image prompts: default and largest scale; try-on's refine strength by default. */
  imagePromptScale: 0.6,
  maxImagePromptScale: 2,
  tryOnImagePromptScale: 0.8,
  refineStrength: 0.6,
} as const;


const MODES: Record<string, GenerateMode> = {
  MODE_TRY_ON: 'try-on',
  MODE_TEXT_TO_IMAGE: 'text-to-image',
  MODE_IMAGE_TO_IMAGE: 'image-to-image',
  MODE_INPAINT: 'inpaint',
};

const CATEGORIES: Record<string, GarmentCategory | undefined> = {
  GARMENT_CATEGORY_UNSPECIFIED: undefined,
  UPPER_BODY: 'upper',
  LOWER_BODY: 'lower',
  DRESS: 'dress',
};

const L = GENERATE_LIMITS;
const side = z
  .number()
  .int()
  .min(0)
  .max(L.maxSide)
  .refine((v) => v % 8 === 0, 'must be a multiple of 8 (0 = default)');
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const scalarsSchema = z.object({
  mode: z.enum(Object.keys(MODES) as [string, ...string[]], { error: `must be one of ${Object.keys(MODES).join(', ')}` }),
  model: text(200),
  loras: z
    .array(z.object({ name: z.string(), scale: z.number().min(-L.maxLoraScale).max(L.maxLoraScale) }))
    .max(L.maxLoras, `at most ${L.maxLoras} LoRAs`),
  category: z.enum(Object.keys(CATEGORIES) as [string, ...string[]]),
  prompt: text(L.maxPromptChars),
  negative_prompt: text(L.maxPromptChars),
  steps: z.number().int().min(0).max(L.maxSteps),
  guidance_scale: z.number().min(0).max(L.maxGuidance),
  strength: z.number().min(0).max(1),
  seed: z
    .string()
    .regex(/^\d+$/)
    .refine((v) => BigInt(v) <= BigInt(Number.MAX_SAFE_INTEGER), `must be at most ${Number.MAX_SAFE_INTEGER}`),
  num_images: z.number().int().min(0).max(L.maxImages),
  width: side,
  height: side,
  scheduler: z.enum(['', ...SCHEDULER_NAMES], { error: `must be empty or one of ${SCHEDULER_NAMES.join(', ')}` }),
  preview_every: z.number().int().min(0).max(L.maxSteps),
  garment_title: text(500),
  garment_description: text(5000),
  engine: z.enum(['', 'warp', 'diffusion'], { error: 'must be "", "warp" or "diffusion"' }),
  mask_out: z.boolean(),
  quality: z.enum(['QUALITY_UNSPECIFIED', 'QUALITY_STANDARD', 'QUALITY_FAST'], { error: 'must be QUALITY_STANDARD or QUALITY_FAST' }),
  decoder: z.enum(['DECODER_UNSPECIFIED', 'DECODER_VAE', 'DECODER_TAESD'], { error: 'must be DECODER_VAE or DECODER_TAESD' }),
  image_prompt_scale: z.number().min(0).max(L.maxImagePromptScale),
  garment_conditioning: z.enum(['GARMENT_CONDITIONING_UNSPECIFIED', 'GARMENT_CONDITIONING_IP_ADAPTER', 'GARMENT_CONDITIONING_CATVTON', 'GARMENT_CONDITIONING_TEXT'], {
    error: 'must be GARMENT_CONDITIONING_IP_ADAPTER, _CATVTON or _TEXT',
  }),
  refine_strength: z.number().min(0).max(1),
});

/** Formats zod issues as "field: problem, got value". */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      let value: unknown = input;
      for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
      const shown = typeof value === 'string' && value.length > 60 ? `${value.slice(0, 60)}…` : value;
      return `${issue.path.join('.') || 'request'}: ${issue.message}, got ${JSON.stringify(shown)}`;
    })
    .join('; ');
}

/** What validation needs from the model registry. */
export interface ModelLookup {
  find(field: string, name: string, kinds: readonly ModelKind[]): ModelEntry;
  /** Whether any entry (model, LoRA, built-in) has this name. */
  has(name: string): boolean;
  /** Every entry of a kind. */
  list(kind?: ModelKind): ModelEntry[];
  /** The default model for a kind of job, or undefined when none is configured. */
  defaultFor(kind: 'base' | 'inpaint' | 'tryOn'): ModelEntry | undefined;
  /** The entry of this name if the catalog has one of these kinds (TAESD, the LCM-LoRA). */
  optional(name: string, kinds: readonly ModelKind[]): ModelEntry | undefined;
}

export interface GenerateValidationOptions {
  readonly maxImagePixels: number;
  /** The server keeps UNet weights in host memory (TRYON_OFFLOAD_UNET): LoRAs cannot be applied. */
  readonly offloadsUNet?: boolean;
  /** Names of the TAESD entry and of the LCM-LoRA entry (TRYON_TAESD_MODEL, TRYON_LCM_LORA). */
  readonly taesdModel?: string;
  readonly lcmLora?: string;
  /** Name of the IP-Adapter entry (TRYON_IP_ADAPTER). */
  readonly ipAdapter?: string;
}

type Conditioning = Pick<GenerateSpec, 'garmentConditioning' | 'ipAdapter' | 'catvton' | 'imagePromptScale' | 'refineStrength'>;

/** Try-on's garment conditioning: IP-Adapter by default where the server has one; CatVTON only where it was allowed in. */
function chooseConditioning(r: z.infer<typeof scalarsSchema>, catalog: ModelLookup, adapterName: string, hasLora: boolean): Conditioning {
  const ipAdapter = catalog.optional(adapterName, ['ip-adapter']);
  const common = { imagePromptScale: r.image_prompt_scale || L.tryOnImagePromptScale, refineStrength: r.refine_strength || L.refineStrength };
  switch (r.garment_conditioning) {
    case 'GARMENT_CONDITIONING_IP_ADAPTER':
      if (!ipAdapter) throw new InputError(`garment_conditioning: GARMENT_CONDITIONING_IP_ADAPTER needs an IP-Adapter "${adapterName}" in the models directory (npm run weights -- ip-adapter-plus-sd15)`);
      return { ...common, garmentConditioning: 'ip-adapter', ipAdapter };
    case 'GARMENT_CONDITIONING_CATVTON': {
      const catvton = catalog.list('catvton')[0];
      if (!catvton) throw new InputError('garment_conditioning: GARMENT_CONDITIONING_CATVTON needs CatVTON weights in the models directory and a server started with TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS=true (their licence is non-commercial)');
      return { ...common, garmentConditioning: 'catvton', catvton };
    }
    case 'GARMENT_CONDITIONING_TEXT':
      return { ...common, garmentConditioning: 'text' };
    default:
      return ipAdapter ? { ...common, garmentConditioning: 'ip-adapter', ipAdapter } : { ...common, garmentConditioning: hasLora ? 'text' : 'concat' };
  }
}

type Preset = Pick<GenerateSpec, 'preset' | 'presetNote' | 'scheduler' | 'steps' | 'guidanceScale' | 'loras'>;

/**
 * QUALITY_FAST where it can run: LCM with the LCM-LoRA (first, at scale 1), few steps, low guidance. Elsewhere the
 * standard preset, with a note saying why.
 */
function choosePreset(r: z.infer<typeof scalarsSchema>, standard: Preset, hasDiffusion: boolean, lcmLora: ModelEntry | undefined, offloads: boolean, lcmName: string): Preset {
  if (r.quality !== 'QUALITY_FAST') return standard;
  const why = !hasDiffusion
    ? 'the warp engine has no denoising steps to cut'
    : !lcmLora
      ? `no LCM-LoRA "${lcmName}" in the models directory (npm run weights -- lcm-lora-sdv1-5)`
      : offloads
        ? 'LoRAs cannot be applied with TRYON_OFFLOAD_UNET=true'
        : undefined;
  if (why || !lcmLora) return { ...standard, presetNote: `fast preset unavailable: ${why}` };
  return {
    preset: 'fast',
    scheduler: 'lcm',
    steps: r.steps === 0 ? L.fastSteps : Math.min(L.fastMaxSteps, Math.max(L.fastMinSteps, r.steps)),
    guidanceScale: Math.min(L.fastMaxGuidance, r.guidance_scale || L.fastGuidance),
    loras: [{ entry: lcmLora, scale: 1 }, ...standard.loras],
  };
}

/** Long side of the decode that only proves an upload is an image. */
const VALIDATION_SIDE = 256;

function fitWithin(size: { width: number; height: number }, side: number): { width: number; height: number } | undefined {
  const scale = side / Math.max(size.width, size.height);
  if (scale >= 1) return undefined;
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

/** img2img / inpaint size: the asked size, else the input's, scaled to fit and rounded down to a multiple of 8. */
function workingSize(asked: { width: number; height: number }, image: { width: number; height: number }): { width: number; height: number } {
  if (asked.width > 0 && asked.height > 0) return asked;
  const scale = Math.min(1, L.maxInputSide / Math.max(image.width, image.height));
  const round = (v: number): number => Math.max(8, Math.floor((v * scale) / 8) * 8);
  return { width: round(image.width), height: round(image.height) };
}

function resolveModel(catalog: ModelLookup, mode: GenerateMode, name: string, engine: string): ModelEntry | undefined {
  if (mode === 'try-on') {
    // The weights-free engine needs no model; naming it ("warp") is the same as leaving the model empty.
    if (engine === 'warp') return undefined;
    if (name !== '' && catalog.find('model', name, ['inpaint', 'try-on']).kind === 'try-on') {
      if (engine === 'diffusion') throw new InputError(`model "${name}" is the weights-free engine; engine "diffusion" needs an inpainting model`);
      return undefined;
    }
    if (engine === '' && name === '') return catalog.defaultFor('tryOn');
  }
  const kinds: ModelKind[] = mode === 'inpaint' || mode === 'try-on' ? ['inpaint'] : ['base', 'fine-tuned'];
  if (name !== '') return catalog.find('model', name, kinds);
  const fallback = catalog.defaultFor(kinds[0] === 'inpaint' ? 'inpaint' : 'base');
  if (!fallback) throw new InputError(`model: no ${kinds[0] === 'inpaint' ? 'inpainting' : 'text-to-image'} model is configured; name one from ListModels`);
  return fallback;
}

export async function validateGenerate(req: GenerateRequest__Output, catalog: ModelLookup, opts: GenerateValidationOptions): Promise<GenerateSpec> {
  const parsed = scalarsSchema.safeParse(req);
  if (!parsed.success) throw new InputError(describeIssues(parsed.error, req));
  const r = parsed.data;
  const mode = MODES[r.mode];
  if (mode !== 'try-on' && (r.width === 0) !== (r.height === 0)) throw new InputError(`width and height must both be set or both be 0, got ${r.width}x${r.height}`);
  const model = resolveModel(catalog, mode, r.model, r.engine);
  const loras = r.loras.map((lora, i) => ({ entry: catalog.find(`loras[${i}].name`, lora.name, ['lora']), scale: lora.scale === 0 ? 1 : lora.scale }));
  if (loras.length > 0 && opts.offloadsUNet === true) {
    throw new InputError('loras: this server keeps UNet weights in host memory (TRYON_OFFLOAD_UNET=true), where LoRAs cannot be applied');
  }

  const required = (field: 'person_image' | 'garment_image' | 'init_image' | 'mask_image'): Uint8Array => {
    const bytes = req[field];
    if (!bytes || bytes.length === 0) throw new InputError(`${field} is required for ${r.mode}`);
    return bytes;
  };
  const decode = (field: string, bytes: Uint8Array, channels: 1 | 3, resizeTo?: (s: { width: number; height: number }) => { width: number; height: number } | undefined): Promise<RawImage> =>
    decodeImage(field, bytes, { maxPixels: opts.maxImagePixels, channels, resizeTo });

  let images: Pick<GenerateSpec, 'initImage' | 'maskImage' | 'personImageFile' | 'garmentImageFile' | 'maskImageFile' | 'imagePrompt' | 'ipAdapter'> = {};
  let size = { width: r.width, height: r.height };
  if (mode === 'try-on') {
    const personFile = Buffer.from(required('person_image'));
    const garmentFile = Buffer.from(required('garment_image'));
    const maskFile = req.mask_image.length > 0 ? Buffer.from(req.mask_image) : undefined;
    // The try-on pipeline decodes the files itself (alpha and EXIF included): here they are only proven
    // decodable, at a small size so a queue of large photos does not hold their pixels.
    let upright = { width: 0, height: 0 };
    const check = (field: string, bytes: Buffer, channels: 1 | 3): Promise<RawImage> =>
      decode(field, bytes, channels, (natural) => {
        if (field === 'person_image') upright = natural;
        return fitWithin(natural, VALIDATION_SIDE);
      });
    await Promise.all([check('person_image', personFile, 3), check('garment_image', garmentFile, 3), ...(maskFile ? [check('mask_image', maskFile, 1)] : [])]);
    images = { personImageFile: personFile, garmentImageFile: garmentFile, ...(maskFile ? { maskImageFile: maskFile } : {}) };
    size = upright;
  } else if (mode === 'image-to-image' || mode === 'inpaint') {
    const initBytes = required('init_image');
    const maskBytes = mode === 'inpaint' ? required('mask_image') : undefined;
    const initImage = await decode('init_image', initBytes, 3, (natural) => (size = workingSize({ width: r.width, height: r.height }, natural)));
    const maskImage = maskBytes ? await decode('mask_image', maskBytes, 1, () => size) : undefined;
    images = { initImage, ...(maskImage ? { maskImage } : {}) };
  }
  if (req.image_prompt.length > 0) {
    if (mode === 'try-on') throw new InputError('image_prompt: try-on takes the garment image as its image prompt; choose garment_conditioning instead');
    const adapterName = opts.ipAdapter ?? 'ip-adapter-plus-sd15';
    const ipAdapter = catalog.optional(adapterName, ['ip-adapter']);
    if (!ipAdapter) throw new InputError(`image_prompt: needs an IP-Adapter "${adapterName}" in the models directory (npm run weights -- ip-adapter-plus-sd15)`);
    const file = Buffer.from(req.image_prompt);
    await decode('image_prompt', file, 3, (natural) => fitWithin(natural, VALIDATION_SIDE));
    images = { ...images, imagePrompt: { file, scale: r.image_prompt_scale || L.imagePromptScale }, ipAdapter };
  }

  const defaultStrength = mode === 'inpaint' || mode === 'try-on' ? 1 : L.defaultStrength;
  // Try-on's diffusion engine is tuned like CatVTON: fewer guidance, more steps.
  const defaultGuidance = mode === 'try-on' ? L.tryOnGuidance : L.defaultGuidance;
  const defaultSteps = mode === 'try-on' ? L.tryOnSteps : L.defaultSteps;
  const lcmName = opts.lcmLora ?? 'lcm-lora-sdv1-5';
  const preset = choosePreset(
    r,
    { preset: 'standard', scheduler: r.scheduler || undefined, steps: r.steps || defaultSteps, guidanceScale: r.guidance_scale || defaultGuidance, loras },
    model !== undefined,
    catalog.optional(lcmName, ['lora']),
    opts.offloadsUNet === true,
    lcmName,
  );
  const taesd = catalog.optional(opts.taesdModel ?? 'taesd', ['taesd']);
  if (r.decoder === 'DECODER_TAESD' && !taesd) throw new InputError(`decoder: DECODER_TAESD needs a TAESD model "${opts.taesdModel ?? 'taesd'}" in the models directory (npm run weights -- taesd)`);
  const decoder = r.decoder === 'DECODER_TAESD' || (r.decoder === 'DECODER_UNSPECIFIED' && preset.preset === 'fast' && taesd) ? 'taesd' : 'vae';
  return {
    mode,
    model,
    ...preset,
    ...(taesd ? { taesd } : {}),
    decoder,
    prompt: r.prompt,
    negativePrompt: r.negative_prompt,
    strength: r.strength || defaultStrength,
    seed: r.seed === '0' ? randomInt(1, 2 ** 47) : Number(r.seed),
    numImages: r.num_images || 1,
    width: size.width,
    height: size.height,
    previewEvery: r.preview_every,
    ...images,
    category: CATEGORIES[r.category],
    garmentTitle: r.garment_title,
    garmentDescription: r.garment_description,
    engine: r.engine === '' ? (model ? 'diffusion' : 'warp') : r.engine,
    ...(mode === 'try-on' ? chooseConditioning(r, catalog, opts.ipAdapter ?? 'ip-adapter-plus-sd15', preset.loras.length > (preset.preset === 'fast' ? 1 : 0)) : { garmentConditioning: 'text' as const, imagePromptScale: 0, refineStrength: 0 }),
    ...(images.ipAdapter ? { ipAdapter: images.ipAdapter } : {}),
    tryOnWorkingHeight: mode === 'try-on' ? r.height : 0,
    maskOut: r.mask_out,
  };
}
