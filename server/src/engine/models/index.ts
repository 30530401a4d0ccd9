// The engine's models: CLIP text encoder, UNet2DConditionModel, AutoencoderKL, their configs, and the
// shared error types. Layers under layers/ are internal.
export { CLIPTextModel, type CLIPTextOutput } from './clip/clip-text-model.js';
export { parseCLIPTextConfig, type CLIPTextConfig } from './clip/clip-text-config.js';
export { UNet2DConditionModel } from './unet/unet-2d-condition.js';
export { parseUNetConfig, type UNetConfig } from './unet/unet-config.js';
export { AutoencoderKL, type LatentDistribution } from './vae/autoencoder-kl.js';
export { parseAutoencoderKLConfig, type AutoencoderKLConfig } from './vae/vae-config.js';
export { ModelConfigError } from './layers/config-parsing.js';
export { ModelWeightsError, type ModelOptions, type ParameterLayout, type ParameterSpec } from './layers/parameters.js';
export { ATTENTION_CHUNK_ELEMENTS } from './layers/attention.js';
export { loadModelsFromWeights, type ComponentSource, type LoadedModels, type ModelSources } from './load-models.js';
