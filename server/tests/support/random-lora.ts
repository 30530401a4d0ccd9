// LoRA files made in the tests (no LoRA of these formats ships for the tiny models except diffusers'): small random
// updates for chosen modules of a model, written as PEFT (lora_A/lora_B, alpha in the adapter metadata) or kohya.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SafetensorsFile, writeSafetensors, kohyaName } from '../../src/engine/index.js';

export interface RandomLoraOptions {
  /** The model's weights file (to read each module's shape). */
  readonly weightsFile: string;
  /** Module paths, e.g. down_blocks.0.resnets.0.conv1 (convolutions get [r, in, kh, kw] / [out, r, 1, 1]). */
  readonly modules: readonly string[];
  readonly rank: number;
  readonly alpha: number;
  readonly seed: number;
  /** Size of the random values: the update is up @ down, so keep it visible but small. */
  readonly magnitude?: number;
}

async function shapesOf(weightsFile: string, modules: readonly string[]): Promise<Map<string, number[]>> {
  // Importing the engine registers wasm above cpu, and wasm starts asynchronously: no op may run before it is up.
  await tf.ready();
  const file = await SafetensorsFile.open(weightsFile);
  try {
    return new Map(
      modules.map((m) => {
        const entry = file.entries.get(`${m}.weight`);
        if (!entry) throw new Error(`${weightsFile} has no ${m}.weight`);
        return [m, [...entry.shape]];
      }),
    );
  } finally {
    await file.close();
  }
}

function randomPair(shape: number[], rank: number, seed: number, magnitude: number): { down: tf.Tensor; up: tf.Tensor } {
  const [out, inChannels, ...kernel] = shape;
  return {
    down: tf.randomUniform([rank, inChannels, ...kernel], -magnitude, magnitude, 'float32', seed),
    up: tf.randomUniform(kernel.length > 0 ? [out, rank, 1, 1] : [out, rank], -magnitude, magnitude, 'float32', seed + 1),
  };
}

/** A PEFT-format UNet LoRA as diffusers ≥ 0.34 saves it: `unet.<module>.lora_A|lora_B.weight`, alpha in metadata. */
export async function writePeftLora(path: string, opts: RandomLoraOptions): Promise<void> {
  const shapes = await shapesOf(opts.weightsFile, opts.modules);
  const tensors = new Map<string, tf.Tensor>();
  opts.modules.forEach((m, i) => {
    const { down, up } = randomPair(shapes.get(m)!, opts.rank, opts.seed + 2 * i, opts.magnitude ?? 0.2);
    tensors.set(`unet.${m}.lora_A.weight`, down).set(`unet.${m}.lora_B.weight`, up);
  });
  try {
    await writeSafetensors(path, tensors, { format: 'pt', lora_adapter_metadata: JSON.stringify({ 'unet.r': opts.rank, 'unet.lora_alpha': opts.alpha }) });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** The same update written as a kohya file (explicit alpha tensors), to compare formats. */
export async function writeKohyaLora(path: string, opts: RandomLoraOptions): Promise<void> {
  const shapes = await shapesOf(opts.weightsFile, opts.modules);
  const tensors = new Map<string, tf.Tensor>();
  opts.modules.forEach((m, i) => {
    const { down, up } = randomPair(shapes.get(m)!, opts.rank, opts.seed + 2 * i, opts.magnitude ?? 0.2);
    const name = kohyaName('unet', m);
    tensors.set(`${name}.lora_down.weight`, down).set(`${name}.lora_up.weight`, up).set(`${name}.alpha`, tf.scalar(opts.alpha));
  });
  try {
    await writeSafetensors(path, tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}
