// npm run bench:sd -- [--backend name] [--quick] [--unet-iters n] [--vae-iters n] [--gen-iters n]
//   [--skip unet,vae,taesd,generate] [--tiny-model <diffusers dir>] [--offload auto|on|off] [--resident-mib n] [--latent-size n] [--winograd auto|always|never] [--profile]
// Median milliseconds, on the active backend, of: one UNet step of the real SD 1.5 architecture (bundled
// config, random weights built in memory, batch 2 as with guidance, 64x64 latent), the VAE decode to
// 512x512 and the same decode by TAESD at its real size (AutoencoderTiny, 64 channels, random weights), the
// UNet step again with an image prompt through an SD 1.5-sized IP-Adapter (its cost as a ratio), and a
// whole tiny-model txt2img. Then the budget of a generation in the standard and the fast preset (UNet
// evaluations, and the time they add up to from the figures above). On wasm (4 GB heap) the SD 1.5 UNet runs
// with offloaded weights (host memory, uploaded layer by layer) except the largest that fit --resident-mib of
// backend memory (default: the engine's DEFAULT_UNET_RESIDENT_BYTES), as the engine does there. --latent-size
// shrinks the UNet's latent and the decodes (16: a 128x128 image) where the real size would take too long
// (a software GPU); the figures then describe that size, as the labels say. --profile adds, after the UNet
// step and the VAE decode, one more pass of each measured kernel by kernel and layer by layer (sd-profile.ts).
// --winograd never times 3x3 convolutions without the Winograd route (layers/winograd.ts), for comparison.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { declaredParameters, parseUNetConfig, UNet2DConditionModel, parseAutoencoderKLConfig, AutoencoderKL, AutoencoderTiny, IPAdapter, type ImagePrompt, parseAutoencoderTinyConfig, type ParameterSpec, BUNDLED_SD15_CONFIG_DIR, chainTidy, DEFAULT_UNET_RESIDENT_BYTES, initBackend, isWinogradPolicy, loadStableDiffusion, parseBackendName, setWinogradPolicy } from '@fitting-room/server/engine';
import { readFile } from 'node:fs/promises';
import { type DrawWeight, fanIn, streamedRandomWeights } from './lib/streamed-random-weights.js';
import { KernelProfiler } from './lib/sd-profile.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TINY = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny/models/sd-tiny');

/**
 * Plausible magnitudes, not good randomness: xorshift32 uniforms in offset ± scale, fan-in scaled, with
 * small biases and norm weights near 1. Seeded, so every run times the same numbers.
 */
function xorshiftWeights(): DrawWeight {
  let state = 0x9e3779b9;
  const uniform = (count: number, scale: number, offset: number): Float32Array => {
    const values = new Float32Array(count);
    let x = state;
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      values[i] = offset + scale * ((x >>> 0) / 2147483648 - 1);
    }
    state = x;
    return values;
  };
  return (name, shape) => {
    const small = name.endsWith('.bias') || shape.length === 1;
    const scale = small ? 0.05 : Math.sqrt(3 / fanIn(shape));
    const offset = small && name.endsWith('.weight') ? 1 : 0;
    return tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), scale, offset), shape, 'float32');
  };
}

function buildRandom<T>(specs: ParameterSpec[], build: (weights: Map<string, tf.Tensor>) => T): T {
  const weights = streamedRandomWeights(specs, xorshiftWeights());
  try {
    return build(weights);
  } finally {
    weights.release();
  }
}

async function readConfig(component: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(BUNDLED_SD15_CONFIG_DIR, component, 'config.json'), 'utf8'));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` (which must read its result back, so the time includes the device) warmup + iters times; the median. */
async function time(label: string, iters: number, warmup: boolean, fn: () => Promise<void>): Promise<number> {
  if (warmup) {
    const t0 = performance.now();
    await fn();
    console.log(`  ${label}: warm-up ${(performance.now() - t0).toFixed(0)} ms`);
  }
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  console.log(`${label}: median ${median(times).toFixed(1)} ms over ${iters} run(s) [${times.map((t) => t.toFixed(0)).join(', ')}]`);
  return median(times);
}

function countParams(specs: ParameterSpec[]): number {
  return specs.reduce((n, s) => n + s.torchShape.reduce((a, b) => a * b, 1), 0);
}

/**
 * An IP-Adapter of SD 1.5's size on `unet` (random weights): one to_k_ip/to_v_ip pair per cross-attention; the
 * image tokens are 16 (IP-Adapter-plus's count), batch 2 as with guidance.
 */
function randomImagePrompt(unet: UNet2DConditionModel): { adapter: IPAdapter; image: ImagePrompt } {
  const cross = unet.config.crossAttentionDim;
  const weights = new Map<string, tf.Tensor>([
    ['image_proj.proj.weight', tf.randomNormal([4 * cross, 1024], 0, 0.02)],
    ['image_proj.proj.bias', tf.zeros([4 * cross])],
    ['image_proj.norm.weight', tf.ones([cross])],
    ['image_proj.norm.bias', tf.zeros([cross])],
  ]);
  unet.crossAttentions().forEach((attention, j) => {
    for (const name of ['to_k_ip', 'to_v_ip']) weights.set(`ip_adapter.${2 * j + 1}.${name}.weight`, tf.randomNormal([attention.innerDim, cross], 0, 0.02));
  });
  return { adapter: IPAdapter.fromWeights('random SD 1.5 IP-Adapter', weights), image: { tokens: tf.randomNormal([2, 16, cross]) as tf.Tensor3D, scale: 0.8 } };
}

/** One UNet step stage by stage (the layers of unet.stages()), each stage's tensors freed as the next runs. */
async function profileUnet(unet: UNet2DConditionModel, sample: tf.Tensor4D, t: tf.Tensor1D, states: tf.Tensor3D, latent: number): Promise<void> {
  const profiler = new KernelProfiler();
  console.log(await profiler.profile(`SD 1.5 UNet step, batch 2, ${latent}x${latent}`, async () => {
    const out = tf.tidy(() => {
      const { input, stages } = unet.stages(sample, t, states);
      return chainTidy(input, stages.map((stage) => (state: tf.Tensor4D[]) => profiler.layer(stage.module, () => stage.run(state))))[0];
    });
    await out.data();
    out.dispose();
  }));
}

async function benchUnet(iters: number, warmup: boolean, offload: boolean, residentBytes: number, latent: number, profile: boolean): Promise<number> {
  const config = parseUNetConfig(await readConfig('unet'));
  const specs = declaredParameters((w) => new UNet2DConditionModel(config, w));
  const params = countParams(specs);
  console.log(
    `SD 1.5 UNet: ${(params / 1e6).toFixed(0)}M parameters (random, ${((params * 4) / 2 ** 30).toFixed(2)} GiB fp32), batch 2, latent ${latent}x${latent}, ` +
      `weights ${offload ? 'offloaded to host memory (uploaded per layer)' : 'resident'}`,
  );
  const t0 = performance.now();
  const unet = buildRandom(specs, (w) => new UNet2DConditionModel(config, w, { offloadWeights: offload, residentWeightBytes: residentBytes }));
  const resident = unet.residentWeights;
  const kept = offload ? `; ${resident.count} weights (${(resident.bytes / 2 ** 30).toFixed(2)} GiB) resident within ${(residentBytes / 2 ** 30).toFixed(2)} GiB` : '';
  console.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s${kept}`);
  const sample = tf.randomNormal([2, latent, latent, config.inChannels]) as tf.Tensor4D;
  const states = tf.randomNormal([2, 77, config.crossAttentionDim]) as tf.Tensor3D;
  const t = tf.tensor1d([500], 'float32');
  const { adapter, image } = randomImagePrompt(unet);
  try {
    const plain = await time(`unet step (SD 1.5, batch 2, ${latent}x${latent})`, iters, warmup, async () => {
      const out = unet.forward(sample, t, states);
      await out.data();
      out.dispose();
    });
    const attached = adapter.attach(unet);
    const prompted = await time('unet step with an image prompt (IP-Adapter, 16 image tokens)', iters, false, async () => {
      const out = unet.forward(sample, t, states, image);
      await out.data();
      out.dispose();
    });
    attached.detach();
    console.log(`image prompt cost: ${(prompted / plain).toFixed(3)}x the plain step (${(prompted - plain).toFixed(0)} ms more)`);
    if (profile) await profileUnet(unet, sample, t, states, latent);
    return plain;
  } finally {
    tf.dispose([sample, states, t, image.tokens]);
    adapter.dispose();
    unet.dispose();
  }
}

interface Decoder {
  decode(z: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/** Times one random-weight decoder on a latent of `latent`² (64: a 512x512 image). */
async function benchDecoder(name: string, label: string, specs: ParameterSpec[], latentChannels: number, build: (w: Map<string, tf.Tensor>) => Decoder, iters: number, warmup: boolean, latent: number, profile = false): Promise<number> {
  console.log(`${name}: ${(countParams(specs) / 1e6).toFixed(1)}M parameters (random), decode ${latent}x${latent} latent -> ${8 * latent}x${8 * latent}`);
  const decoder = buildRandom(specs, build);
  const z = tf.randomNormal([1, latent, latent, latentChannels]) as tf.Tensor4D;
  const decode = async () => {
    const image = decoder.decode(z);
    await image.data();
    image.dispose();
  };
  try {
    const median = await time(label, iters, warmup, decode);
    if (profile) console.log(await new KernelProfiler().profile(label, decode));
    return median;
  } finally {
    z.dispose();
    decoder.dispose();
  }
}

async function benchVae(iters: number, warmup: boolean, latent: number, profile: boolean): Promise<number> {
  const config = parseAutoencoderKLConfig(await readConfig('vae'));
  const specs = declaredParameters((w) => new AutoencoderKL(config, w));
  const label = `vae decode (SD 1.5, ${8 * latent}x${8 * latent})`;
  return benchDecoder('SD 1.5 VAE', label, specs, config.latentChannels, (w) => new AutoencoderKL(config, w), iters, warmup, latent, profile);
}

/** TAESD at the size madebyollin/taesd ships (AutoencoderTiny's defaults: 64 channels, 1/3/3/3 and 3/3/3/1 blocks). */
async function benchTaesd(iters: number, warmup: boolean, latent: number): Promise<number> {
  const config = parseAutoencoderTinyConfig({});
  const specs = declaredParameters((w) => new AutoencoderTiny(config, w));
  const label = `taesd decode (${8 * latent}x${8 * latent})`;
  return benchDecoder('TAESD', label, specs, config.latentChannels, (w) => new AutoencoderTiny(config, w), iters, warmup, latent);
}

/** The presets as the server runs them: standard 30 steps with guidance (batch 2), fast 4 LCM steps without (batch 1). */
const PRESETS = [
  { name: 'standard', steps: 30, batch: 2, decoder: 'vae' },
  { name: 'fast', steps: 4, batch: 1, decoder: 'taesd' },
] as const;

function presetBudget(figures: Map<string, number>): void {
  const evals = PRESETS.map((p) => p.steps * p.batch);
  console.log(`preset budget (UNet sample evaluations): ${PRESETS.map((p, i) => `${p.name} ${p.steps} steps x batch ${p.batch} = ${evals[i]}`).join(', ')}; ratio ${(evals[0] / evals[1]).toFixed(1)}x`);
  const unet = figures.get('unet');
  const vae = figures.get('vae');
  const taesd = figures.get('taesd');
  if (unet === undefined || vae === undefined || taesd === undefined) return;
  // The UNet was timed at batch 2; a batch-1 step is counted as half of it (what the UNet's work scales by).
  const total = PRESETS.map((p) => p.steps * (p.batch / 2) * unet + (p.decoder === 'vae' ? vae : taesd));
  console.log(
    `preset time from these figures: standard ${(total[0] / 1000).toFixed(1)} s, fast ${(total[1] / 1000).toFixed(1)} s; ratio ${(total[0] / total[1]).toFixed(1)}x ` +
      `(decode: vae ${vae.toFixed(0)} ms vs taesd ${taesd.toFixed(0)} ms, ${(vae / taesd).toFixed(1)}x)`,
  );
}

async function benchGenerate(dir: string, iters: number, warmup: boolean): Promise<number> {
  const sd = await loadStableDiffusion(dir);
  const opts = { prompt: 'a photograph of an astronaut riding a horse', height: 64, width: 64, numInferenceSteps: 20, guidanceScale: 7.5, seed: 1 };
  console.log(`tiny model ${dir}: txt2img ${opts.width}x${opts.height}, ${opts.numInferenceSteps} steps PNDM, guidance ${opts.guidanceScale}`);
  try {
    return await time('tiny txt2img (whole generation)', iters, warmup, async () => {
      await sd.txt2img(opts);
    });
  } finally {
    sd.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'unet-iters': { type: 'string' },
      'vae-iters': { type: 'string' },
      'gen-iters': { type: 'string' },
      skip: { type: 'string', default: '' },
      'tiny-model': { type: 'string', default: DEFAULT_TINY },
      offload: { type: 'string', default: 'auto' },
      'resident-mib': { type: 'string' },
      winograd: { type: 'string', default: 'auto' },
      'latent-size': { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  const count = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
    return n;
  };
  const quick = values.quick;
  const latent = count('latent-size', values['latent-size'], 64);
  const skip = new Set(values.skip.split(',').filter(Boolean));
  for (const s of skip) if (!['unet', 'vae', 'taesd', 'generate'].includes(s)) throw new Error(`--skip takes unet, vae, taesd, generate; got "${s}"`);
  if (!isWinogradPolicy(values.winograd)) throw new Error(`--winograd takes auto, always or never; got "${values.winograd}"`);
  setWinogradPolicy(values.winograd);
  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined, {
    logger: { info: () => {}, warn: (_o, msg) => console.warn(msg) },
  });
  if (!['auto', 'on', 'off'].includes(values.offload)) throw new Error(`--offload takes auto, on or off; got "${values.offload}"`);
  // auto: wasm's heap (4 GB) cannot hold SD 1.5's UNet and XNNPACK's packed copies of its weights.
  const offload = values.offload === 'on' || (values.offload === 'auto' && backend.name === 'wasm');
  const residentBytes = values['resident-mib'] === undefined ? DEFAULT_UNET_RESIDENT_BYTES : Number(values['resident-mib']) * 2 ** 20;
  if (!(residentBytes >= 0)) throw new Error(`--resident-mib must be a number of MiB (0: every weight offloaded), got "${values['resident-mib']}"`);
  const adapter = backend.adapter ? ` on ${backend.adapter.vendor} ${backend.adapter.architecture} (${backend.adapter.description || backend.adapter.device})` : '';
  const winograd = values.winograd === 'auto' ? '' : `, Winograd ${values.winograd}`;
  console.log(`bench:sd on backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}${adapter}${winograd}${quick ? ' (--quick: no warm-up, 1 run each)' : ''}`);
  // Smallest first: a failure of the large ones (wasm's 4 GB heap) must not hide the others' figures.
  const sections: [string, () => Promise<number>][] = [
    ['generate', () => benchGenerate(values['tiny-model'], count('gen-iters', values['gen-iters'], quick ? 1 : 5), true)],
    ['taesd', () => benchTaesd(count('vae-iters', values['vae-iters'], quick ? 1 : 3), !quick, latent)],
    ['vae', () => benchVae(count('vae-iters', values['vae-iters'], quick ? 1 : 3), !quick, latent, values.profile)],
    ['unet', () => benchUnet(count('unet-iters', values['unet-iters'], quick ? 1 : 3), !quick, offload, residentBytes, latent, values.profile)],
  ];
  let failed = 0;
  const figures = new Map<string, number>();
  for (const [name, run] of sections) {
    if (skip.has(name)) continue;
    try {
      figures.set(name, await run());
    } catch (err) {
      failed++;
      console.log(`${name}: FAILED on ${backend.name}: ${(err as Error).message}`);
    }
  }
  presetBudget(figures);
  console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench:sd: ${(err as Error).message}`);
  process.exitCode = 1;
});
