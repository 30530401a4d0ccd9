import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeWeights, loadSafetensors } from '../../src/engine/safetensors/reader.js';
import {
  createScheduler,
  DDPMScheduler,
  EulerDiscreteScheduler,
  img2imgTimesteps,
  type DisposableScheduler,
} from '../../src/engine/schedulers/index.js';
import type { WeightMap } from '../../src/engine/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny');

interface TensorRef {
  file: string;
  key: string;
  shape: number[];
}
interface SchedulerCase {
  id: string;
  type: string;
  inputs: {
    scheduler: string;
    config: Record<string, unknown>;
    num_inference_steps?: number;
    initial_sample?: TensorRef;
    model_output?: TensorRef[];
    step_noise?: TensorRef[];
    original_samples?: TensorRef;
    noise?: TensorRef;
    timesteps?: TensorRef;
  };
  expected: {
    timesteps_json?: number[];
    init_noise_sigma?: number;
    sigmas?: TensorRef;
    scaled_model_input?: TensorRef[];
    prev_sample?: TensorRef[];
    noisy_samples?: TensorRef;
    alphas_cumprod?: TensorRef;
  };
  tolerance: { atol: number; rtol: number };
}

const sd15Config = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, skip_prk_steps: true, set_alpha_to_one: false, clip_sample: false };

let cases: SchedulerCase[];
const files = new Map<string, WeightMap>();

function tensorOf(ref: TensorRef): tf.Tensor {
  const tensor = files.get(ref.file)?.get(ref.key);
  if (!tensor) throw new Error(`fixture tensor ${ref.file}:${ref.key} missing`);
  return tensor;
}

/** Largest |a − e| and whether every element is within atol + rtol·|e|. */
function compare(actual: tf.Tensor | number[], expected: tf.Tensor | number[], tol: { atol: number; rtol: number }) {
  const a = Array.isArray(actual) ? actual : Array.from(actual.dataSync());
  const e = Array.isArray(expected) ? expected : Array.from(expected.dataSync());
  expect(a.length).toBe(e.length);
  let maxAbs = 0;
  let ok = true;
  a.forEach((v, i) => {
    const diff = Math.abs(v - e[i]);
    maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
    if (!(diff <= tol.atol + tol.rtol * Math.abs(e[i]))) ok = false;
  });
  return { maxAbs, ok };
}

/** Runs a recorded trajectory: scale_model_input → step with the recorded model outputs (and noise). */
function runTrajectory(c: SchedulerCase, scheduler: DisposableScheduler, check: boolean): number {
  const { inputs, expected } = c;
  let worst = 0;
  const stepNoise = inputs.step_noise ?? [];
  let draws = 0;
  const noise = (shape: number[]) => {
    const drawn = tensorOf(stepNoise[draws]);
    draws += 1;
    expect(drawn.shape).toEqual(shape);
    return drawn.clone();
  };
  let sample = tensorOf(inputs.initial_sample!).clone();
  scheduler.timesteps.forEach((t, i) => {
    const scaled = scheduler.scaleModelInput(sample, t);
    const next = scheduler.step(tensorOf(inputs.model_output![i]), t, sample, stepNoise.length ? noise : undefined);
    if (check) {
      const s = compare(scaled, tensorOf(expected.scaled_model_input![i]), c.tolerance);
      const p = compare(next, tensorOf(expected.prev_sample![i]), c.tolerance);
      expect({ id: c.id, step: i, scaledOk: s.ok, prevOk: p.ok }).toEqual({ id: c.id, step: i, scaledOk: true, prevOk: true });
      worst = Math.max(worst, s.maxAbs, p.maxAbs);
    }
    scaled.dispose();
    sample.dispose();
    sample = next;
  });
  sample.dispose();
  if (stepNoise.length) expect(draws).toBe(stepNoise.length);
  return worst;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  // Python's json writes -Infinity (lambda_min_clipped) bare; quote it so JSON.parse accepts it.
  const text = await readFile(path.join(fixtures, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(text.replace(/:\s*(-?)Infinity\b/g, ': "$1Infinity"')) as { cases: SchedulerCase[] };
  cases = manifest.cases.filter((c) => c.type === 'scheduler');
  for (const c of cases) {
    const file = c.id === 'scheduler_ddpm_add_noise' ? c.inputs.noise!.file : c.inputs.initial_sample!.file;
    files.set(file, await loadSafetensors(path.join(fixtures, file)));
  }
});

afterAll(() => {
  for (const weights of files.values()) disposeWeights(weights);
});

describe('schedulers against the sd-tiny scheduler cases', () => {
  it('has the 10 scheduler cases', () => {
    expect(cases.map((c) => c.id)).toHaveLength(10);
  });

  it('DDPM add_noise and alphas_cumprod match', () => {
    const c = cases.find((x) => x.id === 'scheduler_ddpm_add_noise')!;
    const ddpm = new DDPMScheduler(c.inputs.config);
    const acp = compare(Array.from(ddpm.alphasCumprod), tensorOf(c.expected.alphas_cumprod!), c.tolerance);
    const timesteps = Array.from(tensorOf(c.inputs.timesteps!).dataSync());
    const noisy = ddpm.addNoise(tensorOf(c.inputs.original_samples!), tensorOf(c.inputs.noise!), timesteps);
    const result = compare(noisy, tensorOf(c.expected.noisy_samples!), c.tolerance);
    noisy.dispose();
    console.log(`${c.id}: max abs error ${Math.max(acp.maxAbs, result.maxAbs).toExponential(2)}`);
    expect([acp.ok, result.ok]).toEqual([true, true]);
  });

  const trajectoryIds = [
    'scheduler_ddim_eta0',
    'scheduler_ddim_trailing',
    'scheduler_pndm_plms',
    'scheduler_euler',
    'scheduler_euler_leading',
    'scheduler_euler_ancestral',
    'scheduler_dpmpp_2m',
    'scheduler_dpmpp_2m_karras',
    'scheduler_lms',
  ];
  it.each(trajectoryIds)('%s: timesteps, sigmas, init sigma and every step match', (id) => {
    const c = cases.find((x) => x.id === id)!;
    expect(c).toBeDefined();
    const scheduler = createScheduler(c.inputs.scheduler, c.inputs.config);
    scheduler.setTimesteps(c.inputs.num_inference_steps!);
    expect(scheduler.timesteps).toEqual(c.expected.timesteps_json);
    expect(scheduler.initNoiseSigma).toBeCloseTo(c.expected.init_noise_sigma!, 5);
    let worst = Math.abs(scheduler.initNoiseSigma - c.expected.init_noise_sigma!);
    if (c.expected.sigmas) {
      const sigmas = compare([...scheduler.sigmas!], tensorOf(c.expected.sigmas), c.tolerance);
      expect(sigmas.ok).toBe(true);
      worst = Math.max(worst, sigmas.maxAbs);
    }
    worst = Math.max(worst, runTrajectory(c, scheduler, true));
    console.log(`${id}: max abs error ${worst.toExponential(2)} (atol ${c.tolerance.atol}, rtol ${c.tolerance.rtol})`);
  });

  it('leaks no tensors over whole runs, and dispose() frees a run cut short', () => {
    const before = tf.memory().numTensors;
    for (const id of ['scheduler_pndm_plms', 'scheduler_dpmpp_2m_karras', 'scheduler_lms', 'scheduler_euler_ancestral']) {
      const c = cases.find((x) => x.id === id)!;
      const scheduler = createScheduler(c.inputs.scheduler, c.inputs.config);
      scheduler.setTimesteps(c.inputs.num_inference_steps!);
      runTrajectory(c, scheduler, false);
      expect({ id, tensors: tf.memory().numTensors }).toEqual({ id, tensors: before });
    }
    const pndm = createScheduler('pndm', sd15Config);
    pndm.setTimesteps(10);
    const c = cases.find((x) => x.id === 'scheduler_pndm_plms')!;
    const first = pndm.step(tensorOf(c.inputs.model_output![0]), pndm.timesteps[0], tensorOf(c.inputs.initial_sample!));
    const second = pndm.step(tensorOf(c.inputs.model_output![1]), pndm.timesteps[1], first);
    expect(tf.memory().numTensors).toBeGreaterThan(before + 2);
    first.dispose();
    second.dispose();
    pndm.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('timestep spacing and noise schedules', () => {
  it.each([
    ['pndm', {}, 5, [801, 601, 601, 401, 201, 1]],
    ['ddim', { timestep_spacing: 'linspace' }, 10, [999, 888, 777, 666, 555, 444, 333, 222, 111, 0]],
    ['ddim', { timestep_spacing: 'trailing' }, 4, [999, 749, 499, 249]],
    ['euler', { timestep_spacing: 'trailing' }, 4, [999, 749, 499, 249]],
    ['lms', {}, 4, [999, 666, 333, 0]],
    ['dpmpp_2m', { timestep_spacing: 'leading' }, 4, [800, 600, 400, 200].map((t) => t + 1)],
    ['dpmpp_2m', { timestep_spacing: 'trailing' }, 4, [999, 749, 499, 249]],
  ] as const)('%s %j with %i steps gives diffusers\' timesteps', (name, overrides, steps, expected) => {
    const scheduler = createScheduler(name, sd15Config, overrides);
    scheduler.setTimesteps(steps);
    expect(scheduler.timesteps).toEqual(expected);
  });

  it('builds the cosine schedule (ᾱ telescopes to alphaBar(t+1)/alphaBar(0) below the 0.999 cap)', () => {
    const ddpm = new DDPMScheduler({ beta_schedule: 'squaredcos_cap_v2' });
    const alphaBar = (x: number) => Math.cos(((x + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 10, 250, 500, 800]) {
      expect(ddpm.alphasCumprod[t]).toBeCloseTo(alphaBar((t + 1) / 1000) / alphaBar(0), 5);
    }
  });

  it('rescales to zero terminal SNR when asked, keeping the first ᾱ', () => {
    const plain = createScheduler('ddim', sd15Config) as unknown as { alphasCumprod: Float32Array };
    const rescaled = createScheduler('ddim', sd15Config, { rescale_betas_zero_snr: true }) as unknown as {
      alphasCumprod: Float32Array;
    };
    expect(rescaled.alphasCumprod[999]).toBeCloseTo(0, 7);
    expect(rescaled.alphasCumprod[0]).toBeCloseTo(plain.alphasCumprod[0], 6);
  });
});

describe('v_prediction (SD 2.x 768 models)', () => {
  /** The VP-space (α, σ_t) at the first timestep and the sample the scheduler steps from. */
  function firstStepSpace(name: string, scheduler: DisposableScheduler): { alpha: number; sigmaT: number; sigmaSpace: boolean } {
    if (['ddpm', 'ddim', 'pndm'].includes(name)) {
      const a = (scheduler as unknown as { alphasCumprod: Float32Array }).alphasCumprod[scheduler.timesteps[0]];
      return { alpha: Math.sqrt(a), sigmaT: Math.sqrt(1 - a), sigmaSpace: false };
    }
    const sigma = scheduler.sigmas![0];
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    return { alpha, sigmaT: sigma * alpha, sigmaSpace: name !== 'dpmpp_2m' && name !== 'dpmpp_2m_karras' };
  }

  const eps0 = () => tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 2);

  it.each(['ddpm', 'ddim', 'pndm', 'euler', 'euler_a', 'dpmpp_2m', 'dpmpp_2m_karras', 'lms'])(
    '%s steps a v-prediction exactly as the equivalent ε-prediction',
    (name) => {
      const before = tf.memory().numTensors;
      const epsScheduler = createScheduler(name, sd15Config);
      const vScheduler = createScheduler(name, { ...sd15Config, prediction_type: 'v_prediction' });
      epsScheduler.setTimesteps(10);
      vScheduler.setTimesteps(10);
      const { alpha, sigmaT, sigmaSpace } = firstStepSpace(name, epsScheduler);
      const { eps, drawn, sample, v } = tf.tidy(() => {
        const x0 = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 1);
        const vp = tf.add(tf.mul(x0, alpha), tf.mul(eps0(), sigmaT));
        return {
          eps: eps0(),
          drawn: tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 3),
          sample: sigmaSpace ? tf.div(vp, alpha) : vp,
          v: tf.sub(tf.mul(eps0(), alpha), tf.mul(x0, sigmaT)),
        };
      });
      const noise = () => drawn.clone();
      const t = epsScheduler.timesteps[0];
      const fromEps = epsScheduler.step(eps, t, sample, noise);
      const fromV = vScheduler.step(v, t, sample, noise);
      const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(fromEps, fromV))), tf.max(tf.abs(fromEps))].map((x) => x.dataSync()[0]));
      expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
      tf.dispose([eps, drawn, sample, v, fromEps, fromV]);
      epsScheduler.dispose();
      vScheduler.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

describe('history release', () => {
  it.each([
    ['pndm', 1, 1],
    ['pndm', 2, 1],
    ['pndm', 10, 0.5],
    ['dpmpp_2m', 10, 0.6],
    ['lms', 10, 0.6],
    ['euler_a', 10, 0.6],
  ] as const)('%s with %i steps at strength %s leaves no tensors behind', (name, steps, strength) => {
    const before = tf.memory().numTensors;
    const scheduler = createScheduler(name, sd15Config);
    const { timesteps } = img2imgTimesteps(scheduler, steps, strength);
    let sample = tf.ones([1, 4, 4, 4]);
    timesteps.forEach((t, i) => {
      const output = tf.fill([1, 4, 4, 4], 0.1 * (i + 1));
      const next = scheduler.step(output, t, sample, (shape) => tf.zeros(shape));
      tf.dispose([output, sample]);
      sample = next;
    });
    expect(Number.isFinite(sample.dataSync()[0])).toBe(true);
    sample.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('img2img start', () => {
  it('skips n − ⌊n·strength⌋ steps, with Python float truncation', () => {
    const ddim = createScheduler('ddim', sd15Config);
    expect(img2imgTimesteps(ddim, 8, 0.6)).toMatchObject({ beginIndex: 4, effectiveSteps: 4 });
    expect(img2imgTimesteps(ddim, 100, 0.29)).toMatchObject({ beginIndex: 72, effectiveSteps: 28 });
    const start = img2imgTimesteps(ddim, 10, 0.6);
    expect(start.timesteps).toEqual([501, 401, 301, 201, 101, 1]);
  });

  it('gives PNDM one model call more (its repeated timestep)', () => {
    const pndm = createScheduler('PNDMScheduler', sd15Config);
    const start = img2imgTimesteps(pndm, 10, 0.5);
    expect(start.timesteps).toEqual([501, 401, 301, 201, 101, 1]);
    expect(start.effectiveSteps).toBe(5);
  });

  it('makes Euler add noise at the begin index σ and start stepping there', () => {
    const euler = createScheduler('euler', sd15Config) as EulerDiscreteScheduler;
    const start = img2imgTimesteps(euler, 10, 0.75);
    expect(start.beginIndex).toBe(3);
    const x0 = tf.zeros([1, 2, 2, 4]);
    const noise = tf.ones([1, 2, 2, 4]);
    const noisy = euler.addNoise(x0, noise, [start.timesteps[0]]);
    expect(noisy.dataSync()[0]).toBeCloseTo(euler.sigmas[3], 5);
    const scaled = euler.scaleModelInput(noisy, start.timesteps[0]);
    expect(scaled.dataSync()[0]).toBeCloseTo(euler.sigmas[3] / Math.sqrt(euler.sigmas[3] ** 2 + 1), 5);
    tf.dispose([x0, noise, noisy, scaled]);
  });

  it('rejects a strength that leaves no step', () => {
    expect(() => img2imgTimesteps(createScheduler('ddim', sd15Config), 10, 0.05)).toThrow(/strength 0.05/);
    expect(() => img2imgTimesteps(createScheduler('ddim', sd15Config), 10, 1.5)).toThrow(/between 0 and 1/);
  });
});

describe('DDPM step', () => {
  it('lands on the predicted x0 at t = 0 and draws variance noise above it', () => {
    const ddpm = createScheduler('ddpm', { ...sd15Config, steps_offset: 0 }) as DDPMScheduler;
    ddpm.setTimesteps(1000);
    const sample = tf.fill([1, 2, 2, 4], 0.5);
    const eps = tf.fill([1, 2, 2, 4], 0.1);
    const a0 = ddpm.alphasCumprod[0];
    const x0 = ddpm.step(eps, 0, sample);
    expect(x0.dataSync()[0]).toBeCloseTo((0.5 - Math.sqrt(1 - a0) * 0.1) / Math.sqrt(a0), 5);
    const shapes: number[][] = [];
    const prev = ddpm.step(eps, 500, sample, (shape) => {
      shapes.push(shape);
      return tf.zeros(shape);
    });
    expect(shapes).toEqual([[1, 2, 2, 4]]);
    expect(() => ddpm.step(eps, 500, sample)).toThrow(/noise source/);
    tf.dispose([sample, eps, x0, prev]);
  });
});

describe('bad input', () => {
  it('names the valid schedulers for an unknown name', () => {
    expect(() => createScheduler('heun', sd15Config)).toThrow(
      /unknown scheduler "heun"; valid names: ddpm, ddim, pndm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras, lms/,
    );
  });

  it.each(['ddpm', 'ddim', 'pndm', 'euler', 'euler_a', 'dpmpp_2m', 'dpmpp_2m_karras', 'lms'])(
    '%s rejects step counts outside 1..num_train_timesteps',
    (name) => {
      const scheduler = createScheduler(name, sd15Config);
      expect(() => scheduler.setTimesteps(0)).toThrow(/from 1 to num_train_timesteps \(1000\), got 0/);
      expect(() => scheduler.setTimesteps(1001)).toThrow(/got 1001/);
      expect(() => scheduler.setTimesteps(2.5)).toThrow(/got 2.5/);
      scheduler.setTimesteps(1);
      expect(scheduler.timesteps.length).toBeGreaterThan(0);
    },
  );

  it.each(['ddim', 'pndm', 'euler', 'dpmpp_2m', 'lms'])('%s says which shapes differ instead of failing in tf', (name) => {
    const scheduler = createScheduler(name, sd15Config);
    scheduler.setTimesteps(10);
    const a = tf.zeros([1, 2, 2, 4]);
    const b = tf.zeros([2, 2, 2, 4]);
    expect(() => scheduler.step(a, scheduler.timesteps[0], b)).toThrow(/shapes differ, \[1, 2, 2, 4\] vs \[2, 2, 2, 4\]/);
    expect(() => scheduler.addNoise(b, a, [scheduler.timesteps[0]])).toThrow(/addNoise \(original, noise\): shapes differ/);
    tf.dispose([a, b]);
  });

  it('names the bad config field', () => {
    expect(() => createScheduler('euler', { ...sd15Config, beta_schedule: 'cubic' })).toThrow(/beta_schedule/);
    expect(() => createScheduler('ddim', { ...sd15Config, thresholding: true })).toThrow(/thresholding=true/);
  });

  it('asks for setTimesteps before stepping and for a noise source in Euler ancestral', () => {
    const sample = tf.zeros([1, 2, 2, 4]);
    const euler = createScheduler('euler', sd15Config);
    expect(() => euler.step(sample, 999, sample)).toThrow(/setTimesteps/);
    const ancestral = createScheduler('euler_a', sd15Config);
    ancestral.setTimesteps(10);
    expect(() => ancestral.step(sample, 999, sample)).toThrow(/noise source/);
    expect(() => ancestral.addNoise(sample, sample, [999, 1])).toThrow(/2 timesteps for a batch of 1/);
    sample.dispose();
  });
});
