// scheduler_config.json (plus overrides), validated once. Every field is optional here because each
// diffusers class has its own defaults (DDIM: leading spacing, set_alpha_to_one true; Euler: linspace…);
// a scheduler fills the gaps with `withDefaults` and then trusts the typed result.
import { z } from 'zod';

/** Python's json writes ±Infinity bare; configs read through a lenient parser may carry them as strings. */
const extendedNumber = z.union([
  z.number(),
  z.enum(['Infinity', '-Infinity', 'inf', '-inf']).transform((s) => (s.startsWith('-') ? -Infinity : Infinity)),
]);

export const schedulerConfigSchema = z.object({
  num_train_timesteps: z.number().int().min(2).max(100_000).optional(),
  beta_start: z.number().positive().optional(),
  beta_end: z.number().positive().optional(),
  beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']).optional(),
  trained_betas: z.array(z.number()).nullable().optional(),
  prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']).optional(),
  timestep_spacing: z.enum(['leading', 'linspace', 'trailing']).optional(),
  steps_offset: z.number().int().min(0).optional(),
  rescale_betas_zero_snr: z.boolean().optional(),
  // DDPM / DDIM / PNDM
  clip_sample: z.boolean().optional(),
  clip_sample_range: z.number().positive().optional(),
  set_alpha_to_one: z.boolean().optional(),
  skip_prk_steps: z.boolean().optional(),
  variance_type: z.enum(['fixed_small', 'fixed_small_log', 'fixed_large']).nullable().optional(),
  thresholding: z.boolean().optional(),
  // LCM
  original_inference_steps: z.number().int().min(1).optional(),
  timestep_scaling: z.number().positive().optional(),
  // Euler / LMS / DPM sigma schedules
  interpolation_type: z.enum(['linear', 'log_linear']).optional(),
  use_karras_sigmas: z.boolean().optional(),
  use_exponential_sigmas: z.boolean().optional(),
  use_beta_sigmas: z.boolean().optional(),
  sigma_min: z.number().positive().nullable().optional(),
  sigma_max: z.number().positive().nullable().optional(),
  timestep_type: z.enum(['discrete', 'continuous']).optional(),
  final_sigmas_type: z.enum(['zero', 'sigma_min']).optional(),
  // DPM-Solver multistep
  solver_order: z.number().int().min(1).max(2).optional(),
  algorithm_type: z.enum(['dpmsolver++', 'dpmsolver']).optional(),
  solver_type: z.enum(['midpoint', 'heun']).optional(),
  lower_order_final: z.boolean().optional(),
  euler_at_final: z.boolean().optional(),
  lambda_min_clipped: extendedNumber.optional(),
  use_lu_lambdas: z.boolean().optional(),
  use_flow_sigmas: z.boolean().optional(),
  use_dynamic_shifting: z.boolean().optional(),
});

export type SchedulerConfigInput = z.infer<typeof schedulerConfigSchema>;

/** The settings every scheduler here needs, resolved. */
export interface BaseSchedulerConfig {
  readonly numTrainTimesteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
  readonly trainedBetas: readonly number[] | null;
  readonly predictionType: 'epsilon' | 'v_prediction' | 'sample';
  readonly timestepSpacing: 'leading' | 'linspace' | 'trailing';
  readonly stepsOffset: number;
  readonly rescaleBetasZeroSnr: boolean;
}

/** Validates a raw config (scheduler_config.json merged with overrides); the error names the bad field. */
export function parseSchedulerConfig(raw: unknown, schedulerName: string): SchedulerConfigInput {
  const parsed = schedulerConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new Error(`invalid ${schedulerName} config: ${z.prettifyError(parsed.error)}`);
  }
  const config = parsed.data;
  const unsupported: [keyof SchedulerConfigInput, unknown][] = [
    ['thresholding', true],
    ['use_exponential_sigmas', true],
    ['use_beta_sigmas', true],
    ['use_lu_lambdas', true],
    ['use_flow_sigmas', true],
    ['use_dynamic_shifting', true],
  ];
  for (const [key, value] of unsupported) {
    if (config[key] === value) throw new Error(`${schedulerName}: ${key}=${String(value)} is not supported`);
  }
  return config;
}

/** Fills the shared fields from the class's own defaults (diffusers' __init__ signatures). */
export function resolveBaseConfig(
  config: SchedulerConfigInput,
  defaults: { timestepSpacing: BaseSchedulerConfig['timestepSpacing']; stepsOffset?: number },
): BaseSchedulerConfig {
  return {
    numTrainTimesteps: config.num_train_timesteps ?? 1000,
    betaStart: config.beta_start ?? 0.0001,
    betaEnd: config.beta_end ?? 0.02,
    betaSchedule: config.beta_schedule ?? 'linear',
    trainedBetas: config.trained_betas ?? null,
    predictionType: config.prediction_type ?? 'epsilon',
    timestepSpacing: config.timestep_spacing ?? defaults.timestepSpacing,
    stepsOffset: config.steps_offset ?? defaults.stepsOffset ?? 0,
    rescaleBetasZeroSnr: config.rescale_betas_zero_snr ?? false,
  };
}

/** diffusers rejects a step count above the training schedule; so do we, and below 1. */
export function checkInferenceSteps(numInferenceSteps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > numTrainTimesteps) {
    throw new RangeError(
      `numInferenceSteps must be an integer from 1 to num_train_timesteps (${numTrainTimesteps}), got ${numInferenceSteps}`,
    );
  }
}
