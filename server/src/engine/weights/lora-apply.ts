// Applies a LoRA (any file format, read by lora.ts) to a loaded model in place (W += scale * alpha/r * up @ down) and takes it off again
// bit-exactly by restoring the kept originals of the parameters it touched.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterHolder } from '../types.js';
import { isEmbeddingTable, torchShapeOf, torchToComputeLayout } from './layout.js';
import { LORA_PREFIXES, LoraError, kohyaName, type LoraFormat, type LoraModule, type LoraTarget, type LoraWeights } from './lora.js';

export interface LoraTargets {
  unet?: ParameterHolder;
  textEncoder?: ParameterHolder;
}

export interface AppliedLora {
  readonly source: string;
  /** The file format the loader detected. */
  readonly format: LoraFormat;
  readonly scale: number;
  /** Model parameter names changed (e.g. down_blocks.0.attentions.0.proj_in.weight). */
  readonly parameters: readonly string[];
  /** Restores every touched parameter to its exact value before apply. Remove stacked LoRAs newest first. */
  remove(): void;
}

/**
 * kohya name -> parameter name, built from the model's own module paths: the underscores of a kohya name
 * are ambiguous (to_out_0, ff_net_0_proj, transformer_blocks), the model's list of modules is not.
 * Only linear/conv kernels (rank 2 and 4 `.weight`, not embedding tables) are LoRA targets.
 */
export function loraLookup(target: LoraTarget, holder: ParameterHolder): Map<string, string> {
  const lookup = new Map<string, string>();
  for (const [name, variable] of holder.parameters) {
    if (!name.endsWith('.weight') || (variable.rank !== 2 && variable.rank !== 4) || isEmbeddingTable(name)) continue;
    const key = kohyaName(target, name.slice(0, -'.weight'.length));
    const clash = lookup.get(key);
    if (clash) throw new LoraError(`parameters ${clash} and ${name} have the same kohya name ${key}`);
    lookup.set(key, name);
  }
  return lookup;
}

/** The full update in PyTorch layout, shaped like the target: scale * alpha/r * up @ down. */
function torchDelta(module: LoraModule, torchShape: number[], scale: number): tf.Tensor {
  return tf.tidy(() => {
    const up = tf.reshape(module.up, [module.up.shape[0], module.rank]);
    const down = tf.reshape(module.down, [module.rank, -1]);
    return tf.reshape(tf.mul(tf.matMul(up, down), scale * (module.alpha / module.rank)), torchShape);
  });
}

function checkShape(module: LoraModule, parameter: string, torchShape: number[]): void {
  const [out, ...rest] = torchShape;
  const inSize = rest.reduce((a, b) => a * b, 1);
  const downSize = module.down.size / module.rank;
  const kernelMatches = module.down.rank === 2 ? rest.slice(1).every((k) => k === 1) : module.down.shape.slice(1).join() === rest.join();
  if (module.up.shape[0] !== out || downSize !== inSize || !kernelMatches) {
    throw new LoraError(
      `LoRA module ${module.name} (down ${JSON.stringify(module.down.shape)}, up ${JSON.stringify(module.up.shape)}) ` +
        `does not fit ${parameter} ${JSON.stringify(torchShape)} (PyTorch layout)`,
    );
  }
}

/** Applied LoRAs per model, newest last: removal must undo them in reverse order to restore exactly. */
const stacks = new WeakMap<ParameterHolder, AppliedLora[]>();

/**
 * Adds `scale` × the LoRA to the parameters of `targets`. Every module must match a parameter of the given
 * models with a fitting shape, or nothing is changed and a LoraError names the offenders.
 */
export function applyLora(targets: LoraTargets, lora: LoraWeights, scale: number): AppliedLora {
  if (!Number.isFinite(scale)) throw new LoraError(`LoRA scale must be a finite number, got ${scale}`);
  const holders: Record<LoraTarget, ParameterHolder | undefined> = { unet: targets.unet, text_encoder: targets.textEncoder };
  const lookups = new Map<LoraTarget, Map<string, string>>();
  const plan: { module: LoraModule; holder: ParameterHolder; parameter: string }[] = [];
  const unmatched: string[] = [];
  for (const module of lora.modules.values()) {
    const holder = holders[module.target];
    if (!holder) {
      throw new LoraError(`${lora.source}: has ${LORA_PREFIXES[module.target]}* modules but no ${module.target} was given to apply them to`);
    }
    if (!lookups.has(module.target)) lookups.set(module.target, loraLookup(module.target, holder));
    const parameter = lookups.get(module.target)!.get(module.name);
    if (parameter) plan.push({ module, holder, parameter });
    else unmatched.push(module.name);
  }
  if (unmatched.length > 0) {
    const some = unmatched.slice(0, 5).join(', ');
    throw new LoraError(
      `${lora.source}: LoRA does not fit this model (another architecture?): ${unmatched.length} of ${lora.modules.size} modules match no parameter, e.g. ${some}`,
    );
  }
  // Check every shape before changing anything, so a bad LoRA leaves the model untouched.
  const torchShapes = plan.map(({ module, holder, parameter }) => {
    const variable = holder.parameters.get(parameter)!;
    const shape = torchShapeOf(variable.shape);
    checkShape(module, parameter, shape);
    return shape;
  });
  const originals = new Map<tf.Variable, tf.Tensor>();
  plan.forEach(({ module, holder, parameter }, i) => {
    const variable = holder.parameters.get(parameter)!;
    if (!originals.has(variable)) originals.set(variable, tf.clone(variable));
    const updated = tf.tidy(() => {
      const delta = torchToComputeLayout(torchDelta(module, torchShapes[i], scale));
      return tf.add(variable, delta);
    });
    variable.assign(updated);
    updated.dispose();
  });

  const touched = [...new Set(plan.map((p) => p.holder))];
  let removed = false;
  const applied: AppliedLora = {
    source: lora.source,
    format: lora.format,
    scale,
    parameters: plan.map((p) => p.parameter),
    remove() {
      if (removed) return;
      for (const holder of touched) {
        const stack = stacks.get(holder)!;
        if (stack[stack.length - 1] !== applied) {
          throw new LoraError(`LoRA ${lora.source} cannot be removed before the LoRAs applied after it`);
        }
      }
      for (const [variable, original] of originals) {
        variable.assign(original);
        original.dispose();
      }
      for (const holder of touched) stacks.get(holder)!.pop();
      removed = true;
    },
  };
  for (const holder of touched) {
    const stack = stacks.get(holder) ?? [];
    stack.push(applied);
    stacks.set(holder, stack);
  }
  return applied;
}
