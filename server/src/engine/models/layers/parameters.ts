// Parameters of a model, declared by the modules that use them (name, PyTorch shape, layout) and then
// bound to a WeightMap in one pass, so a missing, extra or mis-shaped weight is reported by its real name.
import * as tf from '@tensorflow/tfjs-core';
import { maxTensorBytes, maxTensorElements } from '../../tensor-limit.js';
import type { WeightMap } from '../../types.js';
import { cutHost, hostComputeLayout, pieceAxis, type HostWeight } from './weight-pieces.js';

/**
 * How a stored tensor maps to compute layout: `linear` [O,I] -> [I,O] (a 1x1 conv [O,I,1,1] is accepted too,
 * as single-file VAE attention stores it), `conv` [O,I,kh,kw] -> [kh,kw,I,O], `plain` unchanged.
 */
export type ParameterLayout = 'linear' | 'conv' | 'plain';

export interface ParameterSpec {
  readonly name: string;
  /** Shape as stored by the reference implementation (PyTorch layout). */
  readonly torchShape: readonly number[];
  readonly layout: ParameterLayout;
}

/** What every model constructor takes besides its config and weights. */
export interface ModelOptions {
  /** Whether the variables take part in `tf.variableGrads` (default false: inference). */
  trainable?: boolean;
  /**
   * Dispose each WeightMap tensor (and delete it from the map) as soon as it is converted, so loading
   * holds about one copy of the weights instead of two (SD 1.5's UNet is 3.4 GB in float32). Only once
   * every key has been checked: a failed build leaves the map untouched.
   */
  releaseWeights?: boolean;
  /**
   * Keep the weights in host (JS) memory, in compute layout, and upload each one only while the layer that
   * reads it runs (the layer's tidy frees it). For models larger than the backend's memory: SD 1.5's UNet is
   * 3.4 GB in float32 and XNNPACK keeps a packed copy of every conv and matmul weight it runs, so it does not
   * fit wasm's 4 GB heap resident. Costs one host-to-backend copy of the weights per forward pass. Such a
   * model has no tf.Variables: it cannot be trained itself, but LoRA factors on it can (weight transforms).
   */
  offloadWeights?: boolean;
  /**
   * With offloadWeights: backend bytes the largest weights may still take resident (residentWeights). Each
   * counts twice (its tensor and XNNPACK's packed copy): a resident weight is uploaded and packed once,
   * where an offloaded one is uploaded and repacked on every pass (about 8 s of an SD 1.5 step on wasm).
   */
  residentWeightBytes?: number;
}

/**
 * Replaces a stored weight by a function of it while a forward pass reads it (LoRA training: W0 + s * down @ up),
 * so gradients reach the transform's own variables through the tape.
 */
export type WeightTransform = (stored: tf.Tensor) => tf.Tensor;

export interface BindOptions extends ModelOptions {
  /** Keys the reference files may carry that are buffers, not parameters (e.g. CLIP's position_ids). */
  ignoredKeys?: readonly RegExp[];
}

/** A wrong weight file for a model: every problem by its reference name. */
export class ModelWeightsError extends Error {
  constructor(
    readonly model: string,
    readonly missing: readonly string[],
    readonly unexpected: readonly string[],
    readonly wrongShape: readonly { name: string; expected: readonly number[]; actual: readonly number[] }[],
  ) {
    const parts: string[] = [];
    const list = (names: readonly string[]) =>
      names.slice(0, 8).join(', ') + (names.length > 8 ? `, … (${names.length - 8} more)` : '');
    if (missing.length > 0) parts.push(`missing ${missing.length} key(s): ${list(missing)}`);
    if (unexpected.length > 0) parts.push(`unexpected ${unexpected.length} key(s): ${list(unexpected)}`);
    if (wrongShape.length > 0) {
      const shapes = wrongShape.map((w) => `${w.name} expected [${w.expected.join(', ')}] got [${w.actual.join(', ')}]`);
      parts.push(`wrong shape for ${wrongShape.length} key(s): ${list(shapes)}`);
    }
    super(`${model} weights do not match its config: ${parts.join('; ')}`);
    this.name = 'ModelWeightsError';
  }
}

/** One declared parameter; `read()` gives its variable once the registry is bound. */
export class Param {
  constructor(
    readonly spec: ParameterSpec,
    private readonly registry: ParameterRegistry,
  ) {}

  /** The weight in compute layout; with offloaded weights a fresh upload that the caller's tidy frees. */
  read(): tf.Tensor {
    return this.registry.read(this.spec.name);
  }

  /**
   * The weight as pieces along pieceAxis(layout) (weight-pieces.ts), each within the tensor limit: one piece
   * (the weight itself) unless it is over the limit. For layers whose weights can be that large.
   */
  readPieces(): tf.Tensor[] {
    return this.registry.readPieces(this.spec.name);
  }

  /** Whether readPieces() gives more than one piece (a weight over the tensor limit). */
  isInPieces(): boolean {
    return this.registry.isInPieces(this.spec.name);
  }
}

/** A module's view of the registry: parameter names are `<prefix>.<local name>` as in diffusers. */
export class Scope {
  constructor(
    readonly registry: ParameterRegistry,
    readonly prefix: string,
  ) {}

  child(name: string | number): Scope {
    return new Scope(this.registry, this.prefix === '' ? String(name) : `${this.prefix}.${name}`);
  }

  param(name: string, torchShape: readonly number[], layout: ParameterLayout): Param {
    return this.registry.declare(this.child(name).prefix, torchShape, layout);
  }
}

export class ParameterRegistry {
  private readonly specs = new Map<string, ParameterSpec>();
  private readonly variables = new Map<string, tf.Variable>();
  /** Weights over the tensor limit: variables holding pieces along pieceAxis (absent from `parameters`). */
  private readonly pieces = new Map<string, tf.Variable[]>();
  /** Offloaded weights: compute-layout values in host memory (empty when the weights are variables). */
  private readonly host = new Map<string, HostWeight>();
  private readonly transforms = new Map<string, WeightTransform>();
  private offloaded = false;
  private disposed = false;

  constructor(readonly model: string) {}

  root(): Scope {
    return new Scope(this, '');
  }

  declare(name: string, torchShape: readonly number[], layout: ParameterLayout): Param {
    if (this.specs.has(name)) throw new Error(`${this.model}: parameter ${name} declared twice`);
    const spec: ParameterSpec = Object.freeze({ name, torchShape: Object.freeze([...torchShape]), layout });
    this.specs.set(name, spec);
    return new Param(spec, this);
  }

  /** Every declared parameter, in declaration order. */
  get parameterSpecs(): ReadonlyMap<string, ParameterSpec> {
    return this.specs;
  }

  /** The weights held whole, by name; a weight held in pieces (over the tensor limit) is not among them. */
  get parameters(): Map<string, tf.Variable> {
    if (this.offloaded) {
      throw new Error(`${this.model} keeps its weights in host memory (offloadWeights): it has no tf.Variables to train, merge into or export`);
    }
    return this.variables;
  }

  get offloadsWeights(): boolean {
    return this.offloaded;
  }

  /** Offloaded models only: how many weights (and bytes of them) are resident despite offloading. */
  get residentWeights(): { count: number; bytes: number } {
    let bytes = 0;
    if (this.offloaded) for (const v of this.variables.values()) bytes += 4 * v.size;
    return { count: this.offloaded ? this.variables.size : 0, bytes };
  }

  /** Checks `weights` against the declarations, then converts each to compute layout as a tf.Variable. */
  bind(weights: WeightMap, opts: BindOptions = {}): void {
    const ignored = opts.ignoredKeys ?? [];
    const missing: string[] = [];
    const wrongShape: { name: string; expected: readonly number[]; actual: readonly number[] }[] = [];
    for (const spec of this.specs.values()) {
      const shape = storedShape(weights, spec.name);
      if (shape === undefined) missing.push(spec.name);
      else if (!shapeFits(spec, shape)) wrongShape.push({ name: spec.name, expected: spec.torchShape, actual: [...shape] });
    }
    const unexpected = [...weights.keys()].filter((k) => !this.specs.has(k) && !ignored.some((re) => re.test(k)));
    if (missing.length + unexpected.length + wrongShape.length > 0) {
      throw new ModelWeightsError(this.model, missing, unexpected, wrongShape);
    }
    const trainable = opts.trainable ?? false;
    this.offloaded = opts.offloadWeights ?? false;
    if (this.offloaded && trainable) throw new Error(`${this.model}: offloaded weights cannot be trainable (train LoRA factors on them instead)`);
    const resident = this.offloaded ? residentWeights([...this.specs.values()], opts.residentWeightBytes ?? 0) : new Set<string>();
    try {
      for (const spec of this.specs.values()) {
        const source = weights.get(spec.name) as tf.Tensor;
        if (this.offloaded && !resident.has(spec.name)) {
          this.host.set(spec.name, hostComputeLayout(spec, source));
        } else if (4 * source.size > maxTensorBytes()) {
          const whole = hostComputeLayout(spec, source);
          this.pieces.set(spec.name, cutHost(whole, pieceAxis(spec.layout), maxTensorElements()).map((p) => hostVariable(p, trainable)));
        } else {
          const compute = tf.tidy(() => toComputeLayout(spec, source.dtype === 'float32' ? source : tf.cast(source, 'float32')));
          // No variable name: tfjs names are global, and two models of one kind may be loaded side by side.
          this.variables.set(spec.name, tf.variable(compute, trainable));
          compute.dispose();
        }
        if (opts.releaseWeights === true) {
          source.dispose();
          weights.delete(spec.name);
        }
      }
    } catch (err) {
      // e.g. out of memory half-way: free what was built rather than leak it.
      this.dispose();
      throw err;
    }
  }

  /** A parameter's value for a forward pass: its variable, or an upload of its offloaded values; transformed if set. */
  read(name: string): tf.Tensor {
    const stored = this.stored(name);
    const transform = this.transforms.get(name);
    return transform === undefined ? stored : transform(stored);
  }

  /**
   * Runs `f` with `transforms` applied to the named weights, then removes them (also when `f` throws). When
   * `f` returns a promise (validation sampling), they are removed once it settles.
   */
  withTransforms<T>(transforms: ReadonlyMap<string, WeightTransform>, f: () => T): T {
    for (const name of transforms.keys()) {
      if (!this.specs.has(name)) throw new Error(`${this.model}: no parameter ${name} to transform`);
      if (this.transforms.has(name)) throw new Error(`${this.model}: parameter ${name} is already transformed`);
    }
    for (const [name, transform] of transforms) this.transforms.set(name, transform);
    const remove = () => {
      for (const name of transforms.keys()) this.transforms.delete(name);
    };
    let result: T;
    try {
      result = f();
    } catch (err) {
      remove();
      throw err;
    }
    if (result instanceof Promise) return result.finally(remove) as T;
    remove();
    return result;
  }

  isInPieces(name: string): boolean {
    const h = this.host.get(name);
    return this.pieces.has(name) || (h !== undefined && 4 * h.values.length > maxTensorBytes());
  }

  /** The weight as pieces within the tensor limit (Param.readPieces). */
  readPieces(name: string): tf.Tensor[] {
    const pieces = this.pieces.get(name);
    if (pieces !== undefined) {
      if (this.transforms.has(name)) throw new Error(`${this.model}: ${name} is held in pieces and cannot be transformed`);
      return pieces;
    }
    const h = this.host.get(name);
    if (h !== undefined && 4 * h.values.length > maxTensorBytes()) {
      const spec = this.specs.get(name) as ParameterSpec;
      return cutHost(h, pieceAxis(spec.layout), maxTensorElements()).map((p) => tf.tensor(p.values, [...p.shape], 'float32'));
    }
    return [this.read(name)];
  }

  private stored(name: string): tf.Tensor {
    const v = this.variables.get(name);
    if (v !== undefined) return v;
    const h = this.host.get(name);
    if (h !== undefined) return tf.tensor(h.values, [...h.shape], 'float32');
    const pieces = this.pieces.get(name);
    if (pieces !== undefined) {
      throw new Error(`${this.model}: ${name} is held in ${pieces.length} pieces (over the ${maxTensorBytes()}-byte tensor limit); its layer must read it with readPieces()`);
    }
    throw new Error(this.disposed ? `${this.model} was disposed` : `${this.model}: parameter ${name} is not bound`);
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
    for (const list of this.pieces.values()) for (const v of list) v.dispose();
    this.pieces.clear();
    this.host.clear();
    this.disposed = true;
  }
}

/**
 * Which weights of an offloaded model stay resident within `budgetBytes` of backend memory: the largest
 * first (the fewest tensors for the bytes; packing costs about the same per byte), then smaller ones into
 * what is left. Matmul and conv weights count twice (XNNPACK's packed copy); weights over the tensor limit
 * are never resident (they are cut into pieces on every read).
 */
function residentWeights(specs: readonly ParameterSpec[], budgetBytes: number): Set<string> {
  const chosen = new Set<string>();
  const bytesOf = (spec: ParameterSpec) => 4 * spec.torchShape.reduce((a, b) => a * b, 1);
  let left = budgetBytes;
  for (const spec of [...specs].sort((a, b) => bytesOf(b) - bytesOf(a))) {
    const bytes = bytesOf(spec);
    const cost = spec.layout === 'plain' ? bytes : 2 * bytes;
    if (bytes > maxTensorBytes() || cost > left) continue;
    chosen.add(spec.name);
    left -= cost;
  }
  return chosen;
}

function hostVariable(weight: HostWeight, trainable: boolean): tf.Variable {
  const t = tf.tensor(weight.values, [...weight.shape], 'float32');
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** A weight's stored shape; a lazy map (weights/lazy-weight-map.ts) tells it without making the tensor. */
function storedShape(weights: WeightMap, name: string): readonly number[] | undefined {
  const lazy = weights as WeightMap & { shapeOf?: (name: string) => readonly number[] | undefined };
  return lazy.shapeOf !== undefined ? lazy.shapeOf(name) : weights.get(name)?.shape;
}

function shapeFits(spec: ParameterSpec, shape: readonly number[]): boolean {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(spec.torchShape, shape)) return true;
  return spec.layout === 'linear' && same([...spec.torchShape, 1, 1], shape);
}

function toComputeLayout(spec: ParameterSpec, t: tf.Tensor): tf.Tensor {
  switch (spec.layout) {
    case 'linear':
      return tf.transpose(t.rank === 4 ? tf.reshape(t, spec.torchShape as number[]) : t);
    case 'conv':
      return tf.transpose(t, [2, 3, 1, 0]);
    case 'plain':
      return t.clone();
  }
}
