// npm run bench:train -- [--steps N] [--sd15-steps N] [--only tiny|sd15] [--sd15-resolution 512] [--backend wasm|cpu|...]
//   [--offload auto|on|off]
// Training throughput on the active backend: images/s and peak memory of (1) the sd-tiny model, full fine-tune
// and LoRA at 64x64 batch 4, (2) SD 1.5-sized LoRA (rank 4, attention projections) at 512x512 batch 1 with
// random weights. The SD 1.5 step starts from given latents and text states (VAE encode and text encoder
// excluded: they are frozen, so a run encodes each image once). On wasm the UNet's weights are offloaded to host
// memory and the gradients checkpointed per UNet stage (training/checkpointed-grads.ts), as the Trainer does.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName, registerTrainingSupport, UNet2DConditionModel, parseUNetConfig, declaredParameters, DDPMScheduler, BUNDLED_SD15_CONFIG_DIR, loadStableDiffusion } from '@fitting-room/server/engine/training';
import { epsilonLoss, checkpointedUNetGrads, lossAndGrads, type StepInputs, LoraNetwork, UNET_ATTENTION_TARGETS, AdamW, clipByGlobalNorm, fullUNetTrainable, loraTrainable, type Trainable } from '@fitting-room/server/training';
import { type DrawWeight, fanIn, streamedRandomWeights } from './lib/streamed-random-weights.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SD_TINY = path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/sd-tiny/models/sd-tiny');

interface Result {
  name: string;
  imagesPerSecond: number;
  secondsPerStep: number;
  peakTensorMB: number;
  rssMB: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** One optimizer step: gradients, clip to 1, AdamW. */
async function optimizerStep(grads: Map<string, tf.Tensor>, optimizer: AdamW): Promise<void> {
  const { clipped } = await clipByGlobalNorm(grads, 1);
  optimizer.apply(clipped, 1e-4);
  tf.dispose([...grads.values(), ...clipped.values()]);
}

/**
 * Times `steps` calls. With a warm-up, one untimed call first and the peak of live tensor bytes from a
 * tf.profile of one more. Without (SD 1.5, minutes per step) only the process's peak RSS is reported: it holds
 * the wasm heap, which never shrinks. (tf.profile around a cold first step fails inside tfjs on wasm.)
 */
async function measure(name: string, images: number, steps: number, step: () => Promise<void>, warmUp = true): Promise<Result> {
  if (warmUp) await step();
  let rss = process.memoryUsage().rss;
  let peakBytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    await step();
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const secondsPerStep = (performance.now() - t0) / 1000 / steps;
  if (warmUp) peakBytes = (await tf.profile(() => step())).peakBytes;
  const result = { name, imagesPerSecond: images / secondsPerStep, secondsPerStep, peakTensorMB: mb(peakBytes), rssMB: mb(rss) };
  console.log(
    `${name.padEnd(40)} ${result.imagesPerSecond.toFixed(3)} images/s  ${secondsPerStep.toFixed(2)} s/step  ` +
      `peak tensors ${warmUp ? `${result.peakTensorMB.toFixed(0)} MB` : 'n/a'}  peak rss ${result.rssMB.toFixed(0)} MB`,
  );
  return result;
}

function tinyInputs(batch: number, res: number): StepInputs {
  return {
    pixels: tf.randomUniform([batch, res, res, 3], -1, 1) as tf.Tensor4D,
    inputIds: tf.fill([batch, 77], 49407, 'int32') as tf.Tensor2D,
    vaeEps: tf.randomNormal([batch, res / 8, res / 8, 4]) as tf.Tensor4D,
    noise: tf.randomNormal([batch, res / 8, res / 8, 4]) as tf.Tensor4D,
    timesteps: Array.from({ length: batch }, (_, i) => (i * 331 + 17) % 1000),
  };
}

async function benchTiny(steps: number): Promise<void> {
  for (const mode of ['full', 'lora'] as const) {
    const sd = await loadStableDiffusion(SD_TINY);
    const noiseScheduler = new DDPMScheduler(sd.schedulerConfig);
    let lora: LoraNetwork | undefined;
    let trainable: Trainable;
    if (mode === 'full') {
      trainable = fullUNetTrainable(sd.unet.parameters);
    } else {
      lora = new LoraNetwork([{ kind: 'unet', model: sd.unet, patterns: UNET_ATTENTION_TARGETS }], { rank: 4, alpha: 4, seed: 0 });
      trainable = loraTrainable(lora, false);
    }
    const optimizer = new AdamW(trainable.variables);
    const inputs = tinyInputs(4, 64);
    const models = { unet: sd.unet, vae: sd.vae, textEncoder: sd.textEncoder, noiseScheduler };
    await measure(`sd-tiny ${mode}, 64x64, batch 4`, 4, steps, async () => optimizerStep((await lossAndGrads(models, trainable, inputs)).grads, optimizer));
    tf.dispose(Object.values(inputs).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    optimizer.dispose();
    lora?.dispose();
    sd.dispose();
  }
}

/** Norm weights 1, biases 0, other weights uniform with fan-in scaling, from tf's global random state. */
const uniformWeights: DrawWeight = (name, shape) => {
  if (shape.length === 1) return tf.fill(shape, name.endsWith('.weight') ? 1 : 0);
  const limit = Math.sqrt(3 / fanIn(shape));
  return tf.randomUniform(shape, -limit, limit);
};

/** wasm's linear memory: it only grows, so its size is the peak the backend needed. */
function wasmHeapMB(): number | undefined {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  return wasm === undefined ? undefined : mb(wasm.HEAPU8.buffer.byteLength);
}

async function benchSd15Lora(steps: number, resolution: number, offload: boolean): Promise<void> {
  const config = parseUNetConfig(JSON.parse(await readFile(path.join(BUNDLED_SD15_CONFIG_DIR, 'unet', 'config.json'), 'utf8')));
  const weights = streamedRandomWeights(declaredParameters((w) => new UNet2DConditionModel(config, w)), uniformWeights);
  const t0 = performance.now();
  const unet = new UNet2DConditionModel(config, weights, { offloadWeights: offload });
  weights.release();
  console.log(`  UNet built in ${((performance.now() - t0) / 1000).toFixed(1)} s, weights ${offload ? 'offloaded to host memory, gradients checkpointed per UNet stage' : 'resident'}`);
  const lora = new LoraNetwork([{ kind: 'unet', model: unet, patterns: UNET_ATTENTION_TARGETS }], { rank: 4, alpha: 4, seed: 0 });
  const trainable = loraTrainable(lora, false);
  const optimizer = new AdamW(trainable.variables);
  const h = resolution / 8;
  const noisy = tf.randomNormal([1, h, h, 4]) as tf.Tensor4D;
  const noise = tf.randomNormal([1, h, h, 4]) as tf.Tensor4D;
  const states = tf.randomNormal([1, 77, config.crossAttentionDim]) as tf.Tensor3D;
  const t = tf.tensor1d([500]);
  const vars = [...trainable.variables.values()];
  const names = [...trainable.variables.keys()];
  const loss = (pred: tf.Tensor4D) => epsilonLoss(pred, noise);
  const step = async (): Promise<void> => {
    if (offload) {
      const { grads } = await trainable.withEffectiveWeights(() => checkpointedUNetGrads(unet, noisy, t, states, loss, trainable.variables));
      await optimizerStep(grads, optimizer);
      return;
    }
    const { value, grads } = tf.variableGrads(() => trainable.withEffectiveWeights(() => loss(unet.forward(noisy, t, states))), vars);
    value.dispose();
    await optimizerStep(new Map(names.map((n, i) => [n, grads[vars[i].name]])), optimizer);
  };
  try {
    await measure(`SD 1.5 UNet LoRA r4, ${resolution}x${resolution}, batch 1`, 1, steps, step, false);
    const heap = wasmHeapMB();
    if (heap !== undefined) console.log(`  wasm heap after the run (its peak): ${heap.toFixed(0)} MB of 4096 MB`);
  } catch (err) {
    // Out of memory leaves the wasm heap unusable: report and stop without touching tensors again.
    console.log(`SD 1.5 UNet LoRA ${resolution}x${resolution}: failed on ${tf.getBackend()}: ${(err as Error).message.slice(0, 200)}`);
    if (process.env.BENCH_DEBUG) console.log((err as Error).stack);
    process.exit(1);
  }
  tf.dispose([noisy, noise, states, t]);
  optimizer.dispose();
  lora.dispose();
  unet.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '3' },
      'sd15-steps': { type: 'string', default: '1' },
      only: { type: 'string' },
      'sd15-resolution': { type: 'string', default: '512' },
      backend: { type: 'string' },
      offload: { type: 'string', default: 'auto' },
    },
  });
  if (!['auto', 'on', 'off'].includes(values.offload)) throw new Error(`--offload takes auto, on or off; got "${values.offload}"`);
  const steps = Number(values.steps);
  const res = Number(values['sd15-resolution']);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${values.steps}`);
  if (!Number.isInteger(res) || res % 8 !== 0) throw new Error(`--sd15-resolution must be a multiple of 8, got ${values['sd15-resolution']}`);
  const backend = await initBackend(values.backend ? parseBackendName(values.backend, '--backend') : undefined, {
    logger: { info: () => {}, warn: (_o, msg) => console.warn(msg) },
  });
  await registerTrainingSupport();
  console.log(`bench:train on ${backend.name}${backend.simd ? ' (SIMD)' : ''}`);
  if (values.only !== 'sd15') {
    console.log(`sd-tiny: ${steps} timed step(s) after one warm-up`);
    await benchTiny(steps);
  }
  if (values.only !== 'tiny') {
    console.log(`SD 1.5: ${values['sd15-steps']} timed step(s), no warm-up`);
    // auto: offload on wasm, whose 4 GB heap cannot hold SD 1.5's UNet beside XNNPACK's packed weights.
    await benchSd15Lora(Number(values['sd15-steps']), res, values.offload === 'on' || (values.offload === 'auto' && backend.name === 'wasm'));
  }
}

main().catch((err: unknown) => {
  console.error(`bench:train: ${(err as Error).message}`);
  process.exitCode = 1;
});
