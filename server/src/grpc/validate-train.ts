// TrainRequest → TrainSpec: ranges checked, the dataset confined to the datasets directory, names validated.
import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { TrainRequest__Output } from '@fitting-room/proto';
import type { TrainMode, TrainSpec } from '../worker/runners/types.js';
import { nameProblem } from '../model-store/names.js';
import { describeIssues, type ModelLookup } from './validate-generate.js';
import { AlreadyExistsError, InputError } from './errors.js';

const MODES: Record<string, TrainMode> = { TRAIN_MODE_FULL: 'full', TRAIN_MODE_LORA: 'lora', TRAIN_MODE_INPAINT_LORA: 'inpaint-lora' };

const schema = z.object({
  dataset_path: z.string().min(1, 'is required').max(1000),
  captions_path: z.string().max(1000),
  keywords: z.array(z.string().min(1).max(200)).max(100),
  base_model: z.string().max(200),
  mode: z.enum(Object.keys(MODES) as [string, ...string[]], { error: `must be one of ${Object.keys(MODES).join(', ')}` }),
  steps: z.number().int().min(1, 'must be at least 1').max(1_000_000),
  batch_size: z.number().int().min(0).max(64),
  learning_rate: z.number().min(0).max(1),
  resolution: z
    .number()
    .int()
    .min(0)
    .max(2048)
    .refine((v) => v % 8 === 0, 'must be a multiple of 8 (0 = default)'),
  rank: z.number().int().min(0).max(1024),
  alpha: z.number().min(0).max(4096),
  validation_prompts: z.array(z.string().max(2000)).max(16),
  output_name: z.string().min(1, 'is required'),
  seed: z.string().regex(/^\d+$/),
  gradient_accumulation: z.number().int().min(0).max(1024),
  checkpoint_every: z.number().int().min(0),
  validation_every: z.number().int().min(0),
  warmup_steps: z.number().int().min(0),
  resume: z.boolean(),
  random_crop: z.boolean(),
  horizontal_flip: z.boolean(),
  train_text_encoder: z.boolean(),
});

export interface TrainValidationOptions {
  /** dataset_path and captions_path must lie inside it. */
  readonly datasetsDir: string;
  /** Where the trained model is written. */
  readonly outputDir: string;
  /** The server keeps UNet weights in host memory (TRYON_OFFLOAD_UNET): UNet LoRAs only. */
  readonly offloadsUNet?: boolean;
}

/** Resolves a client path inside `root`; refuses anything that escapes it or does not exist. */
function insideRoot(field: string, relative: string, root: string): string {
  const resolved = path.resolve(root, relative);
  const rel = path.relative(root, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InputError(`${field} must be inside the datasets directory, got "${relative}"`);
  if (!fs.existsSync(resolved)) throw new InputError(`${field} "${relative}" does not exist in the datasets directory`);
  return resolved;
}

export function validateTrain(req: TrainRequest__Output, catalog: ModelLookup, opts: TrainValidationOptions): TrainSpec {
  const parsed = schema.safeParse(req);
  if (!parsed.success) throw new InputError(describeIssues(parsed.error, req));
  const r = parsed.data;
  const mode = MODES[r.mode];
  if (opts.offloadsUNet === true && (mode === 'full' || r.train_text_encoder)) {
    throw new InputError(`${mode === 'full' ? 'mode TRAIN_MODE_FULL' : 'train_text_encoder'}: this server keeps UNet weights in host memory (TRYON_OFFLOAD_UNET=true) and trains UNet LoRAs only`);
  }
  const problem = nameProblem(r.output_name);
  if (problem) throw new InputError(`output_name ${problem}`);
  if (!r.resume && catalog.has(r.output_name)) {
    throw new AlreadyExistsError(`output_name "${r.output_name}" is already a model; choose another name, or set resume to continue its training`);
  }
  const baseKind = mode === 'inpaint-lora' ? 'inpaint' : 'base';
  const baseModel = r.base_model ? catalog.find('base_model', r.base_model, [baseKind, ...(baseKind === 'base' ? (['fine-tuned'] as const) : [])]) : catalog.defaultFor(baseKind);
  if (!baseModel) throw new InputError(`base_model: no ${baseKind} model is configured; name one from ListModels`);
  return {
    datasetPath: insideRoot('dataset_path', r.dataset_path, opts.datasetsDir),
    captionsPath: r.captions_path ? insideRoot('captions_path', r.captions_path, opts.datasetsDir) : undefined,
    keywords: r.keywords,
    baseModel,
    mode,
    steps: r.steps,
    batchSize: r.batch_size || 1,
    learningRate: r.learning_rate || (mode === 'full' ? 1e-5 : 1e-4),
    resolution: r.resolution,
    rank: r.rank || 4,
    alpha: r.alpha || r.rank || 4,
    validationPrompts: r.validation_prompts,
    outputName: r.output_name,
    outputDir: opts.outputDir,
    seed: r.seed === '0' ? randomInt(1, 2 ** 47) : Number(r.seed),
    gradientAccumulation: r.gradient_accumulation || 1,
    checkpointEvery: r.checkpoint_every,
    validationEvery: r.validation_every,
    warmupSteps: r.warmup_steps,
    resume: r.resume,
    randomCrop: r.random_crop,
    horizontalFlip: r.horizontal_flip,
    trainTextEncoder: r.train_text_encoder,
  };
}
