// npm run generate -- --model <dir|file> --prompt "..." [--negative-prompt "..."]
//   [--init-image f --strength s | --image f --mask f] [--steps n] [--scheduler name] [--guidance g]
//   [--seed n] [--width w --height h] [--num-images n] [--lora file:scale]... [--config dir] [--tokenizer dir]
//   [--backend name] [--out out.png]
// Writes one PNG per image (out.png, or out-1.png, out-2.png, … for several) and prints the seeds.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend,
  loadStableDiffusion,
  parseBackendName,
  SCHEDULER_CLASS_NAMES,
  SCHEDULER_NAMES,
  type GeneratedImage,
  type PipelineResult,
  type StableDiffusionModel,
} from '@fitting-room/server/engine';
import { loadAutoencoderTiny, taesdDecoder } from '@fitting-room/server/engine';
import { UsageError, integerFlag, numberFlag } from './lib/flags.js';

const USAGE = `usage: npm run generate -- --model <dir|file> --prompt "..." [--negative-prompt "..."]
  [--init-image <png|jpg> --strength <0..1>] | [--image <png|jpg> --mask <png|jpg>]
  [--steps 30] [--scheduler ${SCHEDULER_NAMES.join('|')}] [--guidance 7.5] [--seed n]
  [--width 512] [--height 512] [--num-images 1] [--lora <file.safetensors>:<scale>]...
  [--config <diffusers dir for a single file>] [--tokenizer <dir>] [--backend wasm|cpu|...] [--out out.png]
  [--offload-weights]   keep the UNet's weights in host memory, uploaded layer by layer: SD 1.5 on wasm
                        (its 4 GB heap cannot hold them); no --lora then
  [--taesd <dir>]       decode the result with TAESD (a diffusers AutoencoderTiny folder): much faster,
                        a little less detail. Few-step runs: --scheduler lcm --steps 4 --guidance 1 with an
                        LCM-LoRA as --lora (kohya, diffusers and PEFT files all load)`;


const OPTIONS = {
  model: { type: 'string' },
  config: { type: 'string' },
  tokenizer: { type: 'string' },
  prompt: { type: 'string' },
  'negative-prompt': { type: 'string' },
  'init-image': { type: 'string' },
  strength: { type: 'string' },
  image: { type: 'string' },
  mask: { type: 'string' },
  steps: { type: 'string', default: '30' },
  scheduler: { type: 'string' },
  guidance: { type: 'string', default: '7.5' },
  seed: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  'num-images': { type: 'string', default: '1' },
  lora: { type: 'string', multiple: true },
  backend: { type: 'string' },
  'offload-weights': { type: 'boolean', default: false },
  taesd: { type: 'string' },
  out: { type: 'string', default: 'out.png' },
  help: { type: 'boolean' },
} as const;



/** "file.safetensors:0.8" → file and scale; a missing scale means 1. */
function parseLoraFlag(value: string): { file: string; scale: number } {
  const at = value.lastIndexOf(':');
  const tail = at > 0 ? value.slice(at + 1) : '';
  if (at > 0 && tail !== '' && Number.isFinite(Number(tail))) return { file: value.slice(0, at), scale: Number(tail) };
  if (at > 0 && tail !== '' && !/[\\/]/.test(tail)) throw new UsageError(`--lora scale must be a number, got "${tail}" in "${value}"`);
  return { file: value, scale: 1 };
}

/** Reads an image as NHWC [1, H, W, channels] in [0, 1], resized to width×height when given. */
async function readImage(file: string, channels: 1 | 3, size?: { width: number; height: number }): Promise<tf.Tensor4D> {
  let pipeline = sharp(file).removeAlpha();
  if (channels === 1) pipeline = pipeline.grayscale();
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  let raw;
  try {
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new UsageError(`cannot read image ${file}: ${(err as Error).message}`);
  }
  const { width, height, channels: got } = raw.info;
  const values = new Float32Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) values[i * channels + c] = raw.data[i * got + c] / 255;
  }
  if (width % 8 !== 0 || height % 8 !== 0) {
    throw new UsageError(`${file} is ${width}x${height}; pass --width and --height (multiples of 8) to resize it`);
  }
  return tf.tensor4d(values, [1, height, width, channels]);
}

function outputPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = path.extname(out) || '.png';
  const base = out.slice(0, out.length - path.extname(out).length);
  return Array.from({ length: count }, (_, i) => `${base}-${i + 1}${ext}`);
}

async function writePng(image: GeneratedImage, file: string): Promise<void> {
  await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toFile(file);
}

async function loadWithProgress(model: string, config: string | undefined, tokenizer: string | undefined, offloadUNetWeights: boolean): Promise<StableDiffusionModel> {
  const bar = new SingleBar({ format: 'loading {what} [{bar}] {value}/{total} tensors', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    return await loadStableDiffusion(model, {
      configDir: config,
      tokenizerDir: tokenizer,
      offloadUNetWeights,
      onProgress: (done, total, what) => {
        if (!started) {
          bar.start(total, 0, { what });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { what });
      },
    });
  } finally {
    if (started) bar.stop();
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.model) throw new UsageError('--model is required (a diffusers folder or a .safetensors checkpoint)');
  if (values.prompt === undefined) throw new UsageError('--prompt is required');
  if (values['init-image'] && (values.image || values.mask)) throw new UsageError('use either --init-image (img2img) or --image with --mask (inpaint), not both');
  if (Boolean(values.image) !== Boolean(values.mask)) throw new UsageError('inpainting needs both --image and --mask');
  if (values.strength !== undefined && !values['init-image'] && !values.mask) throw new UsageError('--strength applies to --init-image or --mask runs');
  if (values.scheduler && ![...SCHEDULER_NAMES, ...SCHEDULER_CLASS_NAMES].includes(values.scheduler)) {
    throw new UsageError(`--scheduler must be one of ${SCHEDULER_NAMES.join(', ')}, got "${values.scheduler}"`);
  }
  const width = integerFlag('width', values.width);
  const height = integerFlag('height', values.height);
  if ((width === undefined) !== (height === undefined) && (values['init-image'] || values.image)) {
    throw new UsageError('give both --width and --height to resize the input image, or neither');
  }
  const loras = (values.lora ?? []).map(parseLoraFlag);
  const common = {
    prompt: values.prompt,
    negativePrompt: values['negative-prompt'],
    numInferenceSteps: integerFlag('steps', values.steps),
    guidanceScale: numberFlag('guidance', values.guidance),
    seed: integerFlag('seed', values.seed),
    numImagesPerPrompt: integerFlag('num-images', values['num-images']),
    scheduler: values.scheduler,
  };
  const strength = numberFlag('strength', values.strength);

  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined, {
    logger: { info: () => {}, warn: (o, msg) => console.warn(msg) },
  });
  const decoding = values.taesd ? { decoder: taesdDecoder(await loadAutoencoderTiny(values.taesd)) } : {};
  if (values['offload-weights'] && loras.length > 0) throw new UsageError('--lora cannot be applied to offloaded weights (--offload-weights)');
  const sd = await loadWithProgress(values.model, values.config, values.tokenizer, values['offload-weights']);
  const applied = [];
  const owned: tf.Tensor[] = [];
  const size = width !== undefined && height !== undefined ? { width, height } : undefined;
  const bar = new SingleBar({ format: 'denoising [{bar}] {value}/{total} steps | t={t} | {duration_formatted}', hideCursor: true }, Presets.shades_classic);
  try {
    for (const { file, scale } of loras) {
      const lora = await sd.applyLora(file, scale);
      applied.push(lora);
      console.log(`lora: ${file} (${lora.format} format, ${lora.parameters.length} parameters) at scale ${scale}`);
    }
    let started = false;
    const onStep = ({ step, totalSteps, timestep }: { step: number; totalSteps: number; timestep: number }) => {
      if (!started) {
        bar.start(totalSteps, 0, { t: '' });
        started = true;
      }
      bar.update(step, { t: Math.round(timestep) });
    };
    let result: PipelineResult;
    try {
      if (values['init-image']) {
        const image = await readImage(values['init-image'], 3, size);
        owned.push(image);
        result = await sd.img2img({ ...common, ...decoding, image, strength, onStep });
      } else if (values.image && values.mask) {
        const image = await readImage(values.image, 3, size);
        owned.push(image);
        const mask = await readImage(values.mask, 1, { width: image.shape[2], height: image.shape[1] });
        owned.push(mask);
        result = await sd.inpaint({ ...common, ...decoding, image, mask, strength, onStep });
      } else {
        result = await sd.txt2img({ ...common, ...decoding, width: width ?? 512, height: height ?? 512, onStep });
      }
    } finally {
      if (started) bar.stop();
    }
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
    const files = outputPaths(values.out, result.images.length);
    for (const [i, image] of result.images.entries()) await writePng(image, files[i]);
    console.log(`${backend.name}: wrote ${files.map((f, i) => `${f} (seed ${result.seeds[i] ?? 'replayed'})`).join(', ')}`);
  } finally {
    for (const lora of applied.reverse()) lora.remove();
    tf.dispose(owned);
    sd.dispose();
  }
}

main().catch((err: unknown) => {
  const usage = err instanceof UsageError;
  console.error(`generate: ${(err as Error).message}${usage ? `\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
});
