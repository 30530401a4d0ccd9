// Public interface of training: fine-tuning Stable Diffusion (full UNet, LoRA, inpainting LoRA) on a dataset.
//
//   const { model, files } = await loadBaseModel(base);
//   const { examples, report } = await loadDataset({ data, keywords: parseKeywords('latex, white coat') });
//   const trainer = new Trainer({ model, base: files, examples, config: parseTrainConfig({...}), outDir });
//   trainer.on('progress' | 'checkpoint' | 'sample' | 'warning', ...); trainer.pause(); trainer.resume(); trainer.cancel();
//   const summary = await trainer.run(); trainer.dispose(); model.dispose();
export { Trainer, type TrainerOptions, type TrainProgress, type TrainSummary, type TrainerEvents } from './trainer.js';
export { parseTrainConfig, trainConfigSchema, TRAIN_MODES, type TrainConfig, type TrainConfigInput, type TrainMode } from './train-config.js';
export { loadBaseModel, type LoadedBase } from './base-model.js';
export type { TrainSample } from './validation.js';
export {
  loadDataset,
  parseKeywords,
  matchesKeywords,
  CATALOG_FILE,
  catalogLineSchema,
  catalogCaption,
  DatasetError,
  type CatalogLine,
  type DatasetSource,
  type DatasetReport,
  type LoadedDataset,
  type TrainingExample,
} from './datasets/index.js';
export { findLatestCheckpoint, readTrainerState, checkpointName, LORA_FILE } from './checkpoint.js';
export { LoraNetwork, UNET_ATTENTION_TARGETS, TEXT_ENCODER_ATTENTION_TARGETS } from './lora/lora-network.js';
// The train_step conformance handler registers itself when the runner imports conformance-train-step.ts.
export { registerTrainingSupport, registerWasmTrainingKernels } from '../engine/training.js';

// The training step's parts, for bench:train (it times each one).
export { checkpointedUNetGrads } from './checkpointed-grads.js';
export { readCatalogExportDataset } from './datasets/catalog-export.js';
export { epsilonLoss } from './diffusion-loss.js';
export { lossAndGrads, type StepInputs } from './diffusion-step.js';
export { AdamW } from './optim/adamw.js';
export { clipByGlobalNorm } from './optim/clip-grad-norm.js';
export { fullUNetTrainable, loraTrainable, type Trainable } from './trainable.js';
