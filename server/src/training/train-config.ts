// A training run's settings, validated once at the edge (CLI, server) with errors that name the bad value.
import { z } from 'zod';
import { LR_SCHEDULES } from './optim/lr-schedule.js';

export const TRAIN_MODES = ['full', 'lora', 'inpaint-lora'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];

const positiveInt = z.number().int().positive();

export const trainConfigSchema = z.object({
  mode: z.enum(TRAIN_MODES).default('lora'),
  /** Optimizer steps. */
  steps: positiveInt,
  batchSize: positiveInt.default(1),
  gradientAccumulation: positiveInt.default(1),
  /** Default: 1e-5 for full fine-tuning (the original recipe), 1e-4 for LoRA. */
  lr: z.number().positive().optional(),
  lrSchedule: z.enum(LR_SCHEDULES).default('constant'),
  warmupSteps: z.number().int().nonnegative().default(0),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  weightDecay: z.number().nonnegative().default(1e-2),
  adamEps: z.number().positive().default(1e-8),
  /** Global-norm clipping; 0 turns it off. */
  maxGradNorm: z.number().nonnegative().default(1),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
  resolution: positiveInt.refine((r) => r % 8 === 0, { message: 'resolution must be a multiple of 8' }).default(512),
  crop: z.enum(['center', 'random']).default('center'),
  flip: z.boolean().default(false),
  /** EMA decay of the trained weights (e.g. 0.9999); absent = no EMA. */
  emaDecay: z.number().gt(0).lt(1).optional(),
  /** min-SNR-gamma loss weighting (5 is the paper's choice); absent = plain MSE. */
  minSnrGamma: z.number().positive().optional(),
  /** Weight each sample by 1/sqrt(SNR) (multiplies with min-SNR when both are on). */
  debiasedEstimation: z.boolean().default(false),
  noiseOffset: z.number().nonnegative().default(0),
  /**
   * diffusers' timestep bias: sample the last (`later`) or first (`earlier`) `timestepBiasPortion` of the
   * timesteps `timestepBiasMultiplier` times as often. Later (noisier) steps are where a caption decides
   * colour and layout.
   */
  timestepBias: z.enum(['none', 'earlier', 'later']).default('none'),
  timestepBiasMultiplier: z.number().nonnegative().default(1),
  timestepBiasPortion: z.number().gt(0).lt(1).default(0.25),
  /** Share of captions replaced by "" (diffusers' proportion_empty_prompts), so guidance has an unconditional model. */
  captionDropout: z.number().min(0).max(1).default(0),
  loraRank: positiveInt.default(4),
  loraAlpha: z.number().positive().optional(),
  /** Also train LoRA factors on the text encoder's attention projections. */
  loraTextEncoder: z.boolean().default(false),
  /** fp16 needs a backend with half-precision kernels; elsewhere the run says so and uses fp32. */
  mixedPrecision: z.enum(['no', 'fp16']).default('no'),
  /** Write a checkpoint every N steps (and always at the end); 0 = only at the end. */
  checkpointEvery: z.number().int().nonnegative().default(0),
  /** How many step checkpoints to keep (older ones are deleted). */
  keepCheckpoints: positiveInt.default(2),
  validationPrompts: z.array(z.string()).default([]),
  validationEvery: z.number().int().nonnegative().default(0),
  validationSteps: positiveInt.default(20),
  validationGuidance: z.number().nonnegative().default(7.5),
});

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema> & { lr: number; loraAlpha: number };

export function parseTrainConfig(input: TrainConfigInput): TrainConfig {
  const parsed = trainConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new Error(`invalid training config: ${issues.join('; ')}`);
  }
  const c = parsed.data;
  return { ...c, lr: c.lr ?? (c.mode === 'full' ? 1e-5 : 1e-4), loraAlpha: c.loraAlpha ?? c.loraRank };
}
