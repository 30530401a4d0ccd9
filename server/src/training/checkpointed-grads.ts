// Gradients of a UNet loss with activation checkpointing at the UNet's stage boundaries (conv_in, each down
// block, the mid block, each up block, the head): one forward pass without the tape keeps only the stages'
// inputs, then each stage, last first, runs again under the tape and is back-propagated alone. Only one
// stage's activations are taped at a time, and with an offloaded UNet only one stage's weights are in
// backend memory, which is what lets SD 1.5 LoRA training at 512x512 fit wasm's 4 GB heap. Costs one more
// forward pass. Gradients flow to `variables` (LoRA factors, or any UNet parameter), between stages and into
// the time embedding's MLP, not into the text states: text-encoder LoRA needs the plain tape (diffusion-step.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { UNet2DConditionModel, UNetState } from '../engine/training.js';

export interface CheckpointedGrads {
  readonly loss: number;
  /** By the names of `variables`; zeros for a variable the loss does not reach. The caller disposes them. */
  readonly grads: Map<string, tf.Tensor>;
}

/** Σ_j <outputs_j, dy_j>: its gradient with respect to the stage's inputs is the vector-Jacobian product. */
function weightedSum(outputs: UNetState, dy: readonly (tf.Tensor | undefined)[]): tf.Scalar {
  const terms = outputs.flatMap((o, j) => {
    const d = dy[j];
    return d === undefined ? [] : [tf.sum(tf.mul(o, d))];
  });
  return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
}

/** sum + g, freeing both (g alone when there is no sum yet). */
function addInto(sum: tf.Tensor | undefined, g: tf.Tensor): tf.Tensor {
  if (sum === undefined) return g;
  const total = tf.add(sum, g);
  tf.dispose([sum, g]);
  return total;
}

export async function checkpointedUNetGrads(
  unet: UNet2DConditionModel,
  sample: tf.Tensor4D,
  timestep: tf.Tensor1D,
  encoderHiddenStates: tf.Tensor3D,
  loss: (pred: tf.Tensor4D) => tf.Scalar,
  variables: ReadonlyMap<string, tf.Variable>,
): Promise<CheckpointedGrads> {
  const names = [...variables.keys()];
  const varList = names.map((n) => variables.get(n) as tf.Variable);
  const { input, stages, temb } = unet.stages(sample, timestep, encoderHiddenStates);
  const states: UNetState[] = [input];
  const produced = new Set<tf.Tensor>();
  const sums = new Map<string, tf.Tensor>();
  let dy: (tf.Tensor | undefined)[] = [];
  let dTemb: tf.Tensor | undefined;
  const accumulate = (name: string, g: tf.Tensor) => sums.set(name, addInto(sums.get(name), g));
  try {
    for (const stage of stages) {
      const next = tf.tidy(() => stage.run(states[states.length - 1]));
      for (const t of next) if (t !== sample) produced.add(t);
      states.push(next);
    }
    const head = tf.engine().gradients(() => loss(states[states.length - 1][0]), [states[states.length - 1][0]]);
    let lossValue: number;
    try {
      lossValue = (await head.value.data())[0];
    } finally {
      head.value.dispose();
    }
    dy = [head.grads[0]];

    for (let k = stages.length - 1; k >= 0; k--) {
      const inputs = states[k];
      // The same tensor may sit at two positions (h is also the newest skip): its gradient is taken once.
      const unique = k > 0 ? [...new Set(inputs)] : [];
      const upstream = dy;
      const { value, grads } = tf.engine().gradients(
        () => weightedSum(stages[k].run(inputs), upstream),
        [...unique, temb, ...varList],
        undefined,
        true,
      );
      value.dispose();
      tf.dispose(upstream.filter((d): d is tf.Tensor => d !== undefined));
      dy = inputs.map(() => undefined);
      unique.forEach((t, u) => {
        const g = grads[u];
        if (g) dy[inputs.indexOf(t)] = g;
      });
      const g = grads[unique.length];
      if (g) dTemb = addInto(dTemb, g);
      varList.forEach((_, i) => {
        const gv = grads[unique.length + 1 + i];
        if (gv) accumulate(names[i], gv);
      });
    }
    if (dTemb !== undefined) {
      // The time embedding's MLP, back-propagated once with the gradient every stage sent to temb.
      const upstream = dTemb;
      const { value, grads } = tf.engine().gradients(
        () => tf.sum(tf.mul(unet.timeEmbedding(timestep, sample.shape[0]), upstream)) as tf.Scalar,
        varList,
        undefined,
        true,
      );
      value.dispose();
      grads.forEach((gv, i) => {
        if (gv) accumulate(names[i], gv);
      });
    }
    const out = new Map<string, tf.Tensor>();
    names.forEach((n, i) => out.set(n, sums.get(n) ?? tf.zerosLike(varList[i])));
    sums.clear();
    return { loss: lossValue, grads: out };
  } finally {
    tf.dispose([...produced, temb, ...(dTemb ? [dTemb] : []), ...dy.filter((d): d is tf.Tensor => d !== undefined), ...sums.values()]);
  }
}
