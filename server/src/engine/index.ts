// The engine's public face: what the server, the CLIs and the try-on code use. Model internals (layers,
// key conversion, kernels) stay behind it; training imports the model classes directly.

// Backend selection (tfjs-node-gpu, tfjs-node, wasm, cpu, webgpu; TRYON_BACKEND overrides).
export { initBackend, currentBackend, parseBackendName, BACKEND_NAMES, type BackendInfo, type BackendName } from './backend.js';

// Loading a model and running it.
export {
  loadStableDiffusion,
  assembleStableDiffusion,
  BUNDLED_SD15_CONFIG_DIR,
  DEFAULT_UNET_RESIDENT_BYTES,
  type LoadStableDiffusionOptions,
  type StableDiffusionModel,
  type StableDiffusionParts,
} from './stable-diffusion.js';
export { txt2img } from './pipelines/txt2img.js';
export { img2img } from './pipelines/img2img.js';
export { inpaint, prepareMask } from './pipelines/inpaint.js';
export { latentPreviews } from './pipelines/decode.js';
export { PipelineInputError } from './pipelines/errors.js';
export { CancelledError, cancellationOf, type CancelReason } from '../cancellation.js';
export {
  LIMITS,
  type CommonOptions,
  type Txt2ImgOptions,
  type Img2ImgOptions,
  type InpaintOptions,
  type PipelineResult,
  type GeneratedImage,
} from './pipelines/options.js';
export type { PipelineComponents } from './pipelines/components.js';
export { createScheduler, SCHEDULER_NAMES, SCHEDULER_CLASS_NAMES, type SchedulerName } from './schedulers/index.js';

// Noise and models for tests and the embedded default.
export { seededNoise, perImageNoise, replayNoise, NormalStream, MAX_SEED } from './random.js';
export { writeRandomModel, type WriteRandomModelOptions, type RandomModelSizes } from './random-model.js';

// Errors callers map to responses.
export { WeightsError } from './weights/diffusers-folder.js';
export { LoraError } from './weights/lora.js';
export { ModelWeightsError } from './models/layers/parameters.js';
export { SafetensorsError } from './safetensors/reader.js';

// Conformance against reference fixtures.
export { runConformance, formatResult, formatSummary, type ConformanceSummary, type CaseResult } from './conformance/runner.js';
export { registerCaseHandler, type CaseHandler, type CaseContext } from './conformance/registry.js';

// Shared contracts.
export type { NoiseSource, StepCallback, Scheduler, WeightMap, ParameterHolder } from './types.js';

// Model classes, their configs and loaders: for benchmarks and tools that build or time one model on its own.
export { UNet2DConditionModel } from './models/unet/unet-2d-condition.js';
export { parseUNetConfig } from './models/unet/unet-config.js';
export { AutoencoderKL } from './models/vae/autoencoder-kl.js';
export { parseAutoencoderKLConfig } from './models/vae/vae-config.js';
export { AutoencoderTiny } from './models/taesd/autoencoder-tiny.js';
export { parseAutoencoderTinyConfig } from './models/taesd/taesd-config.js';
export { loadAutoencoderTiny } from './models/taesd/load-autoencoder-tiny.js';
export { loadCLIPVisionModel } from './models/clip/load-clip-vision.js';
export type { CLIPVisionModelWithProjection } from './models/clip/clip-vision-model.js';
export { clipPixelValues, parseCLIPImageProcessorConfig, type CLIPImageProcessorConfig } from './models/clip/clip-image-processor.js';
export { declaredParameters } from './random-model.js';
export type { ParameterSpec } from './models/layers/parameters.js';
export { chainTidy } from './models/layers/chain.js';
export { isWinogradPolicy, setWinogradPolicy, type WinogradPolicy } from './models/layers/winograd.js';

// Image prompts (IP-Adapter) and LoRA: what the server's model registry attaches to a loaded model.
export { IPAdapter, IPAdapterError, type AttachedIPAdapter } from './models/ip-adapter/ip-adapter.js';
export { encodeImagePrompt, type ImagePromptTokens } from './models/ip-adapter/image-prompt.js';
export type { ImagePrompt } from './models/layers/attention.js';
export { kohyaName, loadLora } from './weights/lora.js';
export type { AppliedLora } from './weights/lora-apply.js';

// Pipeline building blocks for the try-on diffusion (it runs its own denoising loop over the same steps).
export { taesdDecoder } from './pipelines/adapters.js';
export type { LatentDecoder } from './pipelines/components.js';
export { decodeImages } from './pipelines/decode.js';
export { denoiseInRun } from './pipelines/denoise-run.js';
export { encodeImageLatents, toModelRange } from './pipelines/image-latents.js';
export { openRun } from './pipelines/run-context.js';
export { img2imgTimesteps } from './schedulers/index.js';

// Weight files.
export { loadSafetensors, disposeWeights } from './safetensors/index.js';
export { SafetensorsFile } from './safetensors/reader.js';
export { writeSafetensors } from './safetensors/writer.js';
export { LazyWeightMap } from './weights/lazy-weight-map.js';

// The CLIP tokenizer's byte-level alphabet (the try-on caption builder counts tokens with it).
export { bytesToUnicode, END_OF_WORD } from './tokenizer/bpe.js';
