// What CLIP, the UNet and the VAE share: their modules declare every parameter in one registry while they
// are built, then the registry binds a WeightMap, so a wrong file is reported by its reference key names.
import type * as tf from '@tensorflow/tfjs-core';
import type { ParameterHolder, WeightMap } from '../../types.js';
import { modulePaths } from './module-paths.js';
import { type BindOptions, ParameterRegistry, type ParameterSpec, type Scope, type WeightTransform } from './parameters.js';

/** Builds a model's modules under `root`; building them is what declares the parameters. */
export type ModuleBuilder<Modules> = (root: Scope) => Modules;

/** The parameters `build` declares (name, PyTorch shape, layout), without loading any weights. */
export function declareParameters(model: string, build: ModuleBuilder<unknown>): ReadonlyMap<string, ParameterSpec> {
  const registry = new ParameterRegistry(model);
  build(registry.root());
  return registry.parameterSpecs;
}

export abstract class ParameterModel<Modules> implements ParameterHolder {
  protected readonly net: Modules;
  private readonly registry: ParameterRegistry;

  /** `model` names the model in errors; binding throws ModelWeightsError before creating any variable. */
  protected constructor(model: string, build: ModuleBuilder<Modules>, weights: WeightMap, opts: BindOptions) {
    this.registry = new ParameterRegistry(model);
    this.net = build(this.registry.root());
    this.registry.bind(weights, opts);
  }

  get parameters(): Map<string, tf.Variable> {
    return this.registry.parameters;
  }

  /** Whether the weights live in host memory and are uploaded per use (ModelOptions.offloadWeights). */
  get offloadsWeights(): boolean {
    return this.registry.offloadsWeights;
  }

  /** With offloaded weights, those kept resident within ModelOptions.residentWeightBytes. */
  get residentWeights(): { count: number; bytes: number } {
    return this.registry.residentWeights;
  }

  /** Runs `f` (a forward pass under the gradient tape, or async sampling) with weights read through `transforms`. */
  withWeightTransforms<T>(transforms: ReadonlyMap<string, WeightTransform>, f: () => T): T {
    return this.registry.withTransforms(transforms, f);
  }

  /** Every parameter's name, stored (PyTorch) shape and layout (the LoRA mapper matches module paths against these). */
  get parameterSpecs(): ReadonlyMap<string, ParameterSpec> {
    return this.registry.parameterSpecs;
  }

  /** Reference module paths that own parameters (`down_blocks.0.attentions.0.proj_in`, …), for LoRA mapping. */
  modulePaths(): string[] {
    return modulePaths(this.registry.parameterSpecs);
  }

  dispose(): void {
    this.registry.dispose();
  }
}
