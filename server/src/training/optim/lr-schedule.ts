// Learning-rate schedules as diffusers' get_scheduler (a LambdaLR factor per optimizer step, starting at 0).
import { z } from 'zod';

export const LR_SCHEDULES = ['constant', 'constant_with_warmup', 'linear', 'cosine'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

export const lrScheduleSchema = z.object({
  name: z.enum(LR_SCHEDULES).default('constant'),
  baseLr: z.number().positive(),
  warmupSteps: z.number().int().nonnegative().default(0),
  totalSteps: z.number().int().positive(),
});
export type LrScheduleOptions = z.input<typeof lrScheduleSchema>;

/** The learning rate of optimizer step `step` (0-based). */
export function learningRateAt(options: LrScheduleOptions, step: number): number {
  const { name, baseLr, warmupSteps, totalSteps } = lrScheduleSchema.parse(options);
  if (name === 'constant') return baseLr;
  if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  switch (name) {
    case 'constant_with_warmup':
      return baseLr;
    case 'linear':
      return baseLr * Math.max(0, 1 - progress);
    case 'cosine':
      return baseLr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
