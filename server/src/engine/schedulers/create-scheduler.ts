// The scheduler registry: our short names (as a UI or CLI offers them) and diffusers' class names
// (as model_index.json and scheduler_config.json carry them) to a fresh instance for one run.
import { DDIMScheduler } from './ddim.js';
import { DDPMScheduler } from './ddpm.js';
import { DPMSolverMultistepScheduler } from './dpm-solver-multistep.js';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral.js';
import { EulerDiscreteScheduler } from './euler.js';
import { LCMScheduler } from './lcm.js';
import { LMSDiscreteScheduler } from './lms.js';
import { PNDMScheduler } from './pndm.js';
import type { DisposableScheduler } from './scheduler-base.js';

export const SCHEDULER_NAMES = ['ddpm', 'ddim', 'pndm', 'euler', 'euler_a', 'dpmpp_2m', 'dpmpp_2m_karras', 'lms', 'lcm'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

type Factory = (config: Record<string, unknown>) => DisposableScheduler;

const FACTORIES: Record<SchedulerName, Factory> = {
  ddpm: (c) => new DDPMScheduler(c),
  ddim: (c) => new DDIMScheduler(c),
  pndm: (c) => new PNDMScheduler(c),
  euler: (c) => new EulerDiscreteScheduler(c),
  euler_a: (c) => new EulerAncestralDiscreteScheduler(c),
  dpmpp_2m: (c) =>
    new DPMSolverMultistepScheduler({ ...c, algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: false }),
  dpmpp_2m_karras: (c) =>
    new DPMSolverMultistepScheduler({ ...c, algorithm_type: 'dpmsolver++', solver_order: 2, use_karras_sigmas: true }),
  lms: (c) => new LMSDiscreteScheduler(c),
  lcm: (c) => new LCMScheduler(c),
};

/** diffusers class names; the config decides the variant (e.g. use_karras_sigmas for DPM-Solver). */
const CLASS_FACTORIES: Record<string, Factory> = {
  DDPMScheduler: FACTORIES.ddpm,
  DDIMScheduler: FACTORIES.ddim,
  PNDMScheduler: FACTORIES.pndm,
  EulerDiscreteScheduler: FACTORIES.euler,
  EulerAncestralDiscreteScheduler: FACTORIES.euler_a,
  DPMSolverMultistepScheduler: (c) => new DPMSolverMultistepScheduler(c),
  LMSDiscreteScheduler: FACTORIES.lms,
  LCMScheduler: FACTORIES.lcm,
};

export const SCHEDULER_CLASS_NAMES = Object.keys(CLASS_FACTORIES);

function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

/**
 * A new scheduler from a short name or a diffusers class name, configured from scheduler_config.json
 * (`config`, any extra keys ignored) with `overrides` on top. Each run needs its own instance.
 */
export function createScheduler(
  name: string,
  config: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): DisposableScheduler {
  const factory = isSchedulerName(name) ? FACTORIES[name] : CLASS_FACTORIES[name];
  if (!factory) {
    throw new Error(
      `unknown scheduler ${JSON.stringify(name)}; valid names: ${SCHEDULER_NAMES.join(', ')} ` +
        `(or a diffusers class: ${SCHEDULER_CLASS_NAMES.join(', ')})`,
    );
  }
  return factory({ ...config, ...overrides });
}
