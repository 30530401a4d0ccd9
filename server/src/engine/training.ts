// The engine's narrower entry for training (server/src/training, `npm run train`, bench:train): the model classes
// with their parameter layouts and gradients, and the kernels training registers. Inference code uses index.ts.
export { initBackend, parseBackendName } from './backend.js';
export { registerTrainingSupport, registerWasmTrainingKernels } from './kernels/index.js';
export { conv2dBackpropInput } from './kernels/conv2d-backprop-input.js';

// Models, their configs and parameter layouts.
export { BUNDLED_SD15_CONFIG_DIR, loadStableDiffusion, type StableDiffusionModel } from './stable-diffusion.js';
export { UNet2DConditionModel, type UNetState } from './models/unet/unet-2d-condition.js';
export { parseUNetConfig } from './models/unet/unet-config.js';
export { AutoencoderKL } from './models/vae/autoencoder-kl.js';
export { parseAutoencoderKLConfig } from './models/vae/vae-config.js';
export type { CLIPTextModel } from './models/clip/clip-text-model.js';
export type { CLIPTokenizer } from './tokenizer/clip-tokenizer.js';
export type { ParameterSpec, WeightTransform } from './models/layers/parameters.js';
export { declaredParameters, writeRandomModel } from './random-model.js';
export { NormalStream, philox4x32 } from './random.js';
export { DDPMScheduler } from './schedulers/ddpm.js';
export type { Scheduler } from './types.js';

// Weights in and out (checkpoints, LoRA files in kohya's layout).
export { loadSafetensors, disposeWeights } from './safetensors/reader.js';
export { writeSafetensors } from './safetensors/writer.js';
export { kohyaName, saveLoraKohya, loadLora, type LoraTarget } from './weights/lora.js';

// The train_step conformance case registers its handler with these.
export type { Check } from './conformance/compare.js';
export { checkNumbers, checkTensor, ref } from './conformance/handlers/checks.js';
export { caseField, type ConformanceCase, type TensorRef } from './conformance/manifest.js';
export { registerCaseHandler, type CaseContext } from './conformance/registry.js';
