// Writes trained weights where other tools read them: a LoRA as kohya/A1111 safetensors (LoraNetwork.save),
// a full fine-tune as a diffusers folder: the trained UNet, the frozen VAE and text encoder, and the base
// model's configs, tokenizer and scheduler.
import { copyFile, cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { type ParameterSpec, writeSafetensors, type StableDiffusionModel } from '../engine/training.js';
import { torchWeights } from './torch-layout.js';

/** Where the base model's configs live: its diffusers folder, or the config folder of a single file. */
export interface BaseModelFiles {
  readonly configDir: string;
}

async function writeComponent(
  dir: string,
  file: string,
  values: ReadonlyMap<string, tf.Tensor>,
  specs: ReadonlyMap<string, ParameterSpec>,
): Promise<void> {
  const torch = torchWeights(values, specs);
  try {
    await writeSafetensors(path.join(dir, file), torch, { format: 'pt' });
  } finally {
    for (const t of torch.values()) t.dispose();
  }
}

/**
 * A complete diffusers folder in `dir` (which must exist and be empty). `unetValues` overrides the UNet's
 * current parameters (EMA weights), by diffusers name in compute layout.
 */
export async function writeDiffusersFolder(
  dir: string,
  sd: StableDiffusionModel,
  base: BaseModelFiles,
  unetValues: ReadonlyMap<string, tf.Tensor> = sd.unet.parameters,
): Promise<void> {
  await copyFile(path.join(base.configDir, 'model_index.json'), path.join(dir, 'model_index.json'));
  for (const sub of ['tokenizer', 'scheduler']) await cp(path.join(base.configDir, sub), path.join(dir, sub), { recursive: true });
  const components: [string, string, ReadonlyMap<string, tf.Tensor>, ReadonlyMap<string, ParameterSpec>][] = [
    ['unet', 'diffusion_pytorch_model.safetensors', unetValues, sd.unet.parameterSpecs],
    ['vae', 'diffusion_pytorch_model.safetensors', sd.vae.parameters, sd.vae.parameterSpecs],
    ['text_encoder', 'model.safetensors', sd.textEncoder.parameters, sd.textEncoder.parameterSpecs],
  ];
  for (const [name, file, values, specs] of components) {
    const sub = path.join(dir, name);
    await mkdir(sub, { recursive: true });
    await copyFile(path.join(base.configDir, name, 'config.json'), path.join(sub, 'config.json'));
    await writeComponent(sub, file, values, specs);
  }
}
