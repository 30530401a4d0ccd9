// Checkpoints: a folder per save (`checkpoint-<step>`, and `final`), built under a temporary name and renamed
// into place only when complete, so a crash mid-write never touches the last good one. trainer_state.json
// holds the step count and settings; optimizer.safetensors the AdamW moments; the model as exported
// (lora.safetensors, or a diffusers folder); ema.safetensors the averaged weights when EMA is on.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { loadSafetensors, writeSafetensors } from '../engine/training.js';
import type { AdamWState } from './optim/adamw.js';

export const STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const EMA_FILE = 'ema.safetensors';
export const LORA_FILE = 'lora.safetensors';

export const trainerStateSchema = z.object({
  version: z.literal(1),
  /** Optimizer steps completed. */
  step: z.number().int().nonnegative(),
  emaUpdates: z.number().int().nonnegative().optional(),
  mode: z.string(),
  base: z.string(),
  config: z.record(z.string(), z.unknown()),
});
export type TrainerState = z.infer<typeof trainerStateSchema>;

export interface CheckpointContents {
  readonly state: TrainerState;
  readonly optimizer: AdamWState;
  readonly ema?: ReadonlyMap<string, tf.Tensor>;
  /** Writes the model files into the (temporary) checkpoint folder. */
  readonly writeModel: (dir: string) => Promise<void>;
}

export function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(6, '0')}`;
}

/** Writes `<outDir>/<name>` atomically (replacing an older folder of that name only once the new one is complete). */
export async function writeCheckpoint(outDir: string, name: string, contents: CheckpointContents): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const target = path.join(outDir, name);
  const temp = path.join(outDir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temp);
  try {
    await contents.writeModel(temp);
    await writeSafetensors(path.join(temp, OPTIMIZER_FILE), contents.optimizer.tensors, { step: String(contents.optimizer.step) });
    if (contents.ema) await writeSafetensors(path.join(temp, EMA_FILE), contents.ema);
    // The state file last: a folder without it is never taken for a checkpoint.
    await writeFile(path.join(temp, STATE_FILE), JSON.stringify(contents.state, null, 2));
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  const old = `${temp}.old`;
  const hadOld = await rename(target, old).then(
    () => true,
    () => false,
  );
  await rename(temp, target);
  if (hadOld) await rm(old, { recursive: true, force: true });
  return target;
}

/** The newest complete `checkpoint-<step>` folder in outDir, if any. */
export async function findLatestCheckpoint(outDir: string): Promise<string | undefined> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  const steps = names
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  for (const m of steps) {
    const dir = path.join(outDir, m[0]);
    if (await stat(path.join(dir, STATE_FILE)).then(() => true, () => false)) return dir;
  }
  return undefined;
}

/** Deletes all but the newest `keep` step checkpoints. */
export async function pruneCheckpoints(outDir: string, keep: number): Promise<void> {
  const names = (await readdir(outDir)).filter((n) => /^checkpoint-\d+$/.test(n)).sort();
  for (const n of names.slice(0, Math.max(0, names.length - keep))) await rm(path.join(outDir, n), { recursive: true, force: true });
}

export async function readTrainerState(dir: string): Promise<TrainerState> {
  const file = path.join(dir, STATE_FILE);
  const text = await readFile(file, 'utf8').catch((e: Error) => {
    throw new Error(`${dir} is not a training checkpoint (${STATE_FILE}: ${e.message})`);
  });
  const parsed = trainerStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export async function readOptimizerState(dir: string, step: number): Promise<AdamWState> {
  return { step, tensors: await loadSafetensors(path.join(dir, OPTIMIZER_FILE)) };
}
