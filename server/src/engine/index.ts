// The engine's public face: what the server, the CLIs and the try-on code use. Model internals (layers,
// key conversion, kernels) stay behind it; training imports the model classes directly.

// Backend selection (tfjs-node-gpu, tfjs-node, wasm, cpu, webgpu; TRYON_BACKEND overrides).
export { initBackend, currentBackend, parseBackendName, BACKEND_NAMES, type BackendInfo, type BackendName } from './backend.js';

// Loading a model and running it.
export {
  loadStableDiffusion,
  assembleStableDiffusion,
  BUNDLED_SD15_CONFIG_DIR,
  type LoadStableDiffusionOptions,
  type StableDiffusionModel,
  type StableDiffusionParts,
} from './stable-diffusion.js';
export { txt2img } from './pipelines/txt2img.js';
export { img2img } from './pipelines/img2img.js';
export { inpaint, prepareMask } from './pipelines/inpaint.js';
export { latentsToRgbPreview } from './pipelines/decode.js';
export { PipelineInputError, RunCancelled } from './pipelines/errors.js';
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
