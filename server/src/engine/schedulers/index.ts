// Public face of the schedulers: the registry, the classes, and the img2img start rule.
export { createScheduler, SCHEDULER_NAMES, SCHEDULER_CLASS_NAMES, type SchedulerName } from './create-scheduler.js';
export { img2imgTimesteps, type Img2ImgStart } from './img2img-timesteps.js';
export type { DisposableScheduler } from './scheduler-base.js';
export { DDPMScheduler } from './ddpm.js';
export { DDIMScheduler } from './ddim.js';
export { PNDMScheduler } from './pndm.js';
export { EulerDiscreteScheduler } from './euler.js';
export { EulerAncestralDiscreteScheduler } from './euler-ancestral.js';
export { DPMSolverMultistepScheduler } from './dpm-solver-multistep.js';
export { LMSDiscreteScheduler } from './lms.js';
export { LCMScheduler } from './lcm.js';
export { schedulerConfigSchema, type SchedulerConfigInput } from './scheduler-config.js';
