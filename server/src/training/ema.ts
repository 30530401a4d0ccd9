// Exponential moving average of weights (diffusers' EMAModel): shadow = d * shadow + (1 - d) * param, with the
// warm-up decay min(decay, (1 + step) / (10 + step)) so early, poor weights fade quickly.
import * as tf from '@tensorflow/tfjs-core';

export class ExponentialMovingAverage {
  private readonly shadow = new Map<string, tf.Variable>();
  private updates = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly decay = 0.9999,
  ) {
    for (const [name, p] of params) this.shadow.set(name, tf.tidy(() => tf.variable(p.clone(), false)));
  }

  get step(): number {
    return this.updates;
  }

  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  update(): void {
    const d = this.currentDecay();
    for (const [name, p] of this.params) {
      const s = this.shadow.get(name) as tf.Variable;
      tf.tidy(() => s.assign(tf.add(tf.mul(s, d), tf.mul(p, 1 - d))));
    }
    this.updates += 1;
  }

  /** The averaged weights (the EMA's own variables; do not dispose). */
  get weights(): ReadonlyMap<string, tf.Variable> {
    return this.shadow;
  }

  loadState(weights: ReadonlyMap<string, tf.Tensor>, updates: number): void {
    for (const [name, s] of this.shadow) {
      const t = weights.get(name);
      if (t === undefined) throw new Error(`EMA state has no ${name}`);
      s.assign(t);
    }
    this.updates = updates;
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}
