// LoRA (Hu et al. 2021) training modules: for each target linear W0 (compute layout [in, out]) two trainable
// factors down [in, r] and up [r, out], with W = W0 + (alpha / r) * down @ up. Only down/up are variables the
// optimizer sees; the model's own weights stay frozen. During a forward pass (inside the gradient tape) the
// model reads each target weight through a transform that adds the product, when the layer runs, so the
// gradients reach down/up and only one effective weight exists at a time (also with offloaded weights).
import * as tf from '@tensorflow/tfjs-core';
import { type ParameterSpec, type WeightTransform, kohyaName, saveLoraKohya, type LoraTarget } from '../../engine/training.js';
import { Purpose, TrainRandom } from '../train-random.js';

/** What LoRA needs of a model (a UNet2DConditionModel or CLIPTextModel). */
export interface LoraHostModel {
  readonly parameterSpecs: ReadonlyMap<string, ParameterSpec>;
  withWeightTransforms<T>(transforms: ReadonlyMap<string, WeightTransform>, f: () => T): T;
}

export interface LoraModelTarget {
  /** Which model (kohya prefix `lora_unet_` or `lora_te_`). */
  readonly kind: LoraTarget;
  readonly model: LoraHostModel;
}

export interface LoraOptions {
  rank: number;
  alpha: number;
  /** Module-path suffixes to adapt (default: the attention projections). */
  targets?: readonly RegExp[];
  seed: number;
}

/** diffusers UNet attention projections, and the CLIP text encoder's. */
export const UNET_ATTENTION_TARGETS = [/\.attn[12]\.to_(q|k|v|out\.0)$/];
export const TEXT_ENCODER_ATTENTION_TARGETS = [/\.self_attn\.(q|k|v|out)_proj$/];

export interface LoraModule {
  /** diffusers / transformers module path (`down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q`). */
  readonly path: string;
  /** `lora_unet_down_blocks_0_..._to_q`. */
  readonly kohyaName: string;
  readonly target: LoraModelTarget;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly down: tf.Variable;
  readonly up: tf.Variable;
}

export class LoraNetwork {
  readonly modules: LoraModule[] = [];
  readonly rank: number;
  readonly alpha: number;

  constructor(targets: readonly (LoraModelTarget & { patterns: readonly RegExp[] })[], opts: LoraOptions) {
    if (!Number.isInteger(opts.rank) || opts.rank < 1) throw new RangeError(`LoRA rank must be a positive integer, got ${opts.rank}`);
    if (!(opts.alpha > 0)) throw new RangeError(`LoRA alpha must be positive, got ${opts.alpha}`);
    this.rank = opts.rank;
    this.alpha = opts.alpha;
    const random = new TrainRandom(opts.seed);
    for (const { kind, model, patterns } of targets) {
      const target: LoraModelTarget = { kind, model };
      for (const [name, spec] of model.parameterSpecs) {
        if (!name.endsWith('.weight') || spec.layout !== 'linear') continue;
        const path = name.slice(0, -'.weight'.length);
        if (!patterns.some((re) => re.test(path))) continue;
        const [outFeatures, inFeatures] = spec.torchShape;
        // kohya's init: down ~ kaiming-uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), up = 0, so training
        // starts from the base model exactly.
        const bound = 1 / Math.sqrt(inFeatures);
        const u = random.uniforms(this.modules.length, Purpose.init, inFeatures * this.rank);
        // In a tidy: the initial values would otherwise outlive the variables (and hold their memory).
        const down = tf.tidy(() => tf.variable(tf.tensor2d(u.map((x) => (2 * x - 1) * bound), [inFeatures, this.rank]), true));
        const up = tf.tidy(() => tf.variable(tf.zeros([this.rank, outFeatures]), true));
        this.modules.push({ path, kohyaName: kohyaName(kind, path), target, inFeatures, outFeatures, down, up });
      }
    }
    if (this.modules.length === 0) throw new Error('LoRA: no module matched the target patterns');
  }

  get scale(): number {
    return this.alpha / this.rank;
  }

  /** The optimizer's parameters, keyed by kohya tensor names. */
  get variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const m of this.modules) {
      out.set(`${m.kohyaName}.lora_down.weight`, m.down);
      out.set(`${m.kohyaName}.lora_up.weight`, m.up);
    }
    return out;
  }

  /**
   * Runs `f` with W0 + scale * down @ up in place of each target weight: the models read their target weights
   * through transforms while `f` runs (synchronous under tf.variableGrads, or async for validation sampling),
   * so the base weights are never modified, whether resident or offloaded.
   */
  withEffectiveWeights<T>(f: () => T): T {
    const byModel = new Map<LoraHostModel, Map<string, WeightTransform>>();
    for (const m of this.modules) {
      const transforms = byModel.get(m.target.model) ?? new Map<string, WeightTransform>();
      transforms.set(`${m.path}.weight`, (base) => tf.add(base, tf.mul(tf.matMul(m.down, m.up), this.scale)));
      byModel.set(m.target.model, transforms);
    }
    const run = [...byModel].reduce<() => T>((inner, [model, transforms]) => () => model.withWeightTransforms(transforms, inner), f);
    return run();
  }

  /** kohya / A1111 tensors in PyTorch layout: lora_down [r, in], lora_up [out, r], alpha (scalar). */
  kohyaTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const m of this.modules) {
      out.set(`${m.kohyaName}.lora_down.weight`, tf.transpose(m.down));
      out.set(`${m.kohyaName}.lora_up.weight`, tf.transpose(m.up));
      out.set(`${m.kohyaName}.alpha`, tf.scalar(this.alpha));
    }
    return out;
  }

  /** Writes the LoRA as a kohya/A1111 .safetensors (atomically) that the engine and other SD tools load. */
  async save(file: string, metadata: Record<string, string> = {}, values?: ReadonlyMap<string, tf.Tensor>): Promise<void> {
    // `values` (EMA weights) by the names of `variables`; default the live factors.
    const value = (m: LoraModule, kind: 'down' | 'up'): tf.Tensor =>
      values?.get(`${m.kohyaName}.lora_${kind}.weight`) ?? (kind === 'down' ? m.down : m.up);
    const tensors = this.modules.map((m) => ({ m, down: tf.transpose(value(m, 'down')), up: tf.transpose(value(m, 'up')) }));
    try {
      await saveLoraKohya(
        file,
        tensors.map(({ m, down, up }) => ({ target: m.target.kind, module: m.path, down, up, alpha: this.alpha })),
        { ss_network_alpha: String(this.alpha), ...metadata },
      );
    } finally {
      tf.dispose(tensors.flatMap((t) => [t.down, t.up]));
    }
  }

  /** Restores down/up from kohya tensors (a checkpoint written by kohyaTensors). */
  loadKohyaTensors(tensors: ReadonlyMap<string, tf.Tensor>): void {
    for (const m of this.modules) {
      for (const [kind, v] of [['lora_down', m.down], ['lora_up', m.up]] as const) {
        const t = tensors.get(`${m.kohyaName}.${kind}.weight`);
        if (t === undefined) throw new Error(`LoRA checkpoint has no ${m.kohyaName}.${kind}.weight`);
        tf.tidy(() => v.assign(tf.transpose(t.rank === 4 ? tf.squeeze(t, [2, 3]) : t)));
      }
    }
  }

  dispose(): void {
    for (const m of this.modules) tf.dispose([m.down, m.up]);
    this.modules.length = 0;
  }
}
