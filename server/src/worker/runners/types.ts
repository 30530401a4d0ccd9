// What the server asks of each engine, as small interfaces: the gRPC layer and the queue depend on these,
// never on the engines' modules, so queueing, streaming and cancellation work whatever engine is present.
import type { Category } from '../../tryon/index.js';
import type { GreyImage, RgbImage } from '../../image.js';
import type { ModelEntry } from '../../model-store/scan.js';

/** What engines hand back raw: RGB results and previews, grey masks. */
export type RawImage = RgbImage | GreyImage;


export type GenerateMode = 'try-on' | 'text-to-image' | 'image-to-image' | 'inpaint';
export type TryOnEngineName = 'warp' | 'diffusion';

export interface LoraChoice {
  readonly entry: ModelEntry;
  readonly scale: number;
}

/** A validated Generate request: every value in range, images decoded, names resolved. */
export interface GenerateSpec {
  readonly mode: GenerateMode;
  /** Undefined only for the weights-free try-on engine. */
  readonly model?: ModelEntry;
  readonly loras: readonly LoraChoice[];
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly steps: number;
  readonly guidanceScale: number;
  readonly strength: number;
  readonly seed: number;
  readonly numImages: number;
  /** Output size for text-to-image; for the others the (already resized) input image's size. */
  readonly width: number;
  readonly height: number;
  readonly scheduler?: string;
  /** `fast`: LCM + the LCM-LoRA (already first in `loras`), few steps; `presetNote` says why fast did not run. */
  readonly preset: 'standard' | 'fast';
  readonly presetNote?: string;
  /** The autoencoder that decodes the result. */
  readonly decoder: 'vae' | 'taesd';
  /** The TAESD model, when the catalog has one: previews, and the result when `decoder` is taesd. */
  readonly taesd?: ModelEntry;
  readonly previewEvery: number;
  readonly initImage?: RawImage;
  readonly maskImage?: RawImage;
  /** MODE_TRY_ON: the validated uploads as sent (the try-on pipeline decodes them itself, alpha included). */
  readonly personImageFile?: Buffer;
  readonly garmentImageFile?: Buffer;
  /** MODE_TRY_ON: the caller's own mask file, if any (white = repaint). */
  readonly maskImageFile?: Buffer;
  readonly category?: Category;
  readonly garmentTitle: string;
  readonly garmentDescription: string;
  readonly engine?: TryOnEngineName;
  /** An image prompt (txt2img, img2img, inpaint) through `ipAdapter`: the validated file and its scale. */
  readonly imagePrompt?: { readonly file: Buffer; readonly scale: number };
  /** The IP-Adapter folder (image prompts, try-on's ip-adapter conditioning). */
  readonly ipAdapter?: ModelEntry;
  /** MODE_TRY_ON with the diffusion engine: how the garment conditions the generation. */
  readonly garmentConditioning: 'ip-adapter' | 'catvton' | 'text' | 'concat';
  /** CatVTON's attention weights, for the catvton conditioning (the server only has them when allowed). */
  readonly catvton?: ModelEntry;
  /** Try-on with IP-Adapter: the image prompt's scale and how much of the warp composite diffusion repaints. */
  readonly imagePromptScale: number;
  readonly refineStrength: number;
  /** MODE_TRY_ON with the diffusion engine: the height of the person crop the UNet sees (0 = the engine's default). */
  readonly tryOnWorkingHeight: number;
  readonly maskOut: boolean;
}

export interface GenerateProgress {
  readonly step: number;
  readonly totalSteps: number;
  /** e.g. "loading-model", "analysing-person", "denoising", "decoding". */
  readonly stage: string;
  /** Raw pixels: the gRPC edge encodes them once, as JPEG. */
  readonly preview?: RawImage;
}

export interface GenerateRunContext {
  readonly signal: AbortSignal;
  /** Whether the runner should make a preview at this step (previews cost a little). */
  wantsPreview(step: number): boolean;
  progress(update: GenerateProgress): void;
}

export interface GenerateOutput {
  readonly images: readonly RawImage[];
  readonly seeds: readonly number[];
  readonly mask?: RawImage;
  readonly model: string;
  readonly engine: string;
  readonly loadMs: number;
  /** What ran: the preset and the result's decoder. */
  readonly preset: 'standard' | 'fast';
  readonly decoder: 'vae' | 'taesd';
  /** Sentences for the caller (Result.warnings). */
  readonly warnings: readonly string[];
}

export interface GenerateRunner {
  run(spec: GenerateSpec, ctx: GenerateRunContext): Promise<GenerateOutput>;
}

export type TrainMode = 'full' | 'lora' | 'inpaint-lora';

export interface TrainSpec {
  /** Absolute, inside the datasets directory. */
  readonly datasetPath: string;
  readonly captionsPath?: string;
  readonly keywords: readonly string[];
  readonly baseModel: ModelEntry;
  readonly mode: TrainMode;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** 0 = the trainer's default for the base model. */
  readonly resolution: number;
  readonly rank: number;
  readonly alpha: number;
  readonly validationPrompts: readonly string[];
  readonly outputName: string;
  /** Where the result goes (the models directory, so ListModels finds it). */
  readonly outputDir: string;
  readonly seed: number;
  readonly gradientAccumulation: number;
  readonly checkpointEvery: number;
  readonly validationEvery: number;
  readonly warmupSteps: number;
  readonly resume: boolean;
  readonly randomCrop: boolean;
  readonly horizontalFlip: boolean;
  readonly trainTextEncoder: boolean;
}

export interface DatasetSummary {
  readonly format: string;
  readonly total: number;
  readonly kept: number;
  readonly dropped: number;
  readonly unreadable: number;
  readonly warnings: readonly string[];
}

export interface TrainRunContext {
  readonly signal: AbortSignal;
  /** Once, after the dataset was read and filtered. */
  dataset(summary: DatasetSummary): void;
  /** Call between steps: pauses while shoppers wait. */
  yieldToInteractive(): Promise<void>;
  progress(update: { step: number; totalSteps: number; loss: number; learningRate: number; imagesPerSecond: number; etaSeconds: number }): void;
  checkpoint(update: { name: string; step: number }): void;
  sample(update: { prompt: string; image: RawImage; step: number }): void;
}

export interface TrainOutput {
  readonly modelName: string;
  readonly steps: number;
  readonly finalLoss: number;
}

export interface TrainRunner {
  run(spec: TrainSpec, ctx: TrainRunContext): Promise<TrainOutput>;
}

/** One runner per generate mode, and the training runner (in the engine worker). */
export interface JobRunners {
  readonly generate: Readonly<Record<GenerateMode, GenerateRunner>>;
  readonly train: TrainRunner;
}
