// Public surface of weight loading: diffusers folders, single-file checkpoints, layout conversion, LoRA.
export { loadDiffusersFolder, loadComponent, findWeightFiles, readJsonObject, WeightsError } from './diffusers-folder.js';
export type { StableDiffusionWeights, ComponentWeights, WeightComponent, LoadFolderOptions, JsonObject } from './diffusers-folder.js';
export { loadSingleFile } from './single-file.js';
export type { SingleFileOptions } from './single-file.js';
export {
  torchToComputeLayout,
  computeToTorchLayout,
  paramToComputeLayout,
  paramToTorchLayout,
  isEmbeddingTable,
  torchShapeOf,
} from './layout.js';
export { loadLora, parseLora, saveLoraKohya, kohyaName, LoraError } from './lora.js';
export type { LoraWeights, LoraModule, LoraModuleWeights, LoraTarget } from './lora.js';
export { applyLora, loraLookup } from './lora-apply.js';
export type { AppliedLora, LoraTargets } from './lora-apply.js';
