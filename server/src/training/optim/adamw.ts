// AdamW (Loshchilov & Hutter) exactly as torch.optim.AdamW: decoupled weight decay first, then bias-corrected
// moments. State (moments and step count) can be exported and restored, so a resumed run continues bit for bit.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface AdamWState {
  step: number;
  /** `m.<param>` and `v.<param>` moments, in the parameters' compute layout. */
  tensors: Map<string, tf.Tensor>;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    opts: AdamWOptions = {},
  ) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 1e-2;
    // In tidies: the zeros would otherwise outlive the variables made from them (and hold their memory).
    for (const [name, p] of params) {
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  get step(): number {
    return this.stepCount;
  }

  /** One update with learning rate `lr`; `grads` holds a gradient for every parameter (a missing one is an error). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.stepCount += 1;
    const { beta1, beta2, eps, weightDecay } = this;
    const bc1 = 1 - beta1 ** this.stepCount;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.stepCount);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (g === undefined) throw new Error(`AdamW: no gradient for parameter ${name}`);
      const m = this.m.get(name) as tf.Variable;
      const v = this.v.get(name) as tf.Variable;
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const decayed = tf.mul(p, 1 - lr * weightDecay);
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    }
  }

  /** The state as tensors the caller must not dispose (they are the optimizer's own variables). */
  state(): AdamWState {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, m] of this.m) tensors.set(`m.${name}`, m);
    for (const [name, v] of this.v) tensors.set(`v.${name}`, v);
    return { step: this.stepCount, tensors };
  }

  loadState(state: AdamWState): void {
    for (const [kind, moments] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, variable] of moments) {
        const t = state.tensors.get(`${kind}.${name}`);
        if (t === undefined) throw new Error(`optimizer state has no ${kind}.${name}`);
        if (t.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`optimizer state ${kind}.${name} has shape [${t.shape}], parameter has [${variable.shape}]`);
        }
        variable.assign(t);
      }
    }
    this.stepCount = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
