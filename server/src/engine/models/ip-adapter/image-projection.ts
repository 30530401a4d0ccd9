// IP-Adapter's image projection, read from the original file layout of h94/IP-Adapter (`image_proj.*`):
// - base (ip-adapter_sd15): tokens = LayerNorm(reshape(Linear(image_embeds), [B, n, cross])), n = 4;
// - plus (ip-adapter-plus_sd15): a perceiver resampler from the encoder's penultimate hidden states to 16 tokens:
//   learned latents attend (heads of width 64) over cat(norm1(x), norm2(latents)), then a GELU feed-forward, each
//   with a residual, then proj_out and norm_out. Sizes come from the file's shapes, so any width or depth loads.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { gelu } from '../layers/activations.js';
import { multiHeadAttention } from '../layers/attention.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { ParameterModel } from '../layers/parameter-model.js';
import type { Scope } from '../layers/parameters.js';

const NORM_EPS = 1e-5;
const RESAMPLER_HEAD_WIDTH = 64;

export interface ImageProjection {
  readonly kind: 'base' | 'plus';
  /** Width of the tokens (the UNet's cross_attention_dim). */
  readonly crossDim: number;
  readonly numTokens: number;
  /** base: image_embeds [B, D]; plus: penultimate hidden states [B, T, hidden] → tokens [B, n, crossDim]. */
  tokens(embeds: tf.Tensor): tf.Tensor3D;
  dispose(): void;
}

function shape(weights: WeightMap, key: string): number[] {
  const t = weights.get(key);
  if (!t) throw new Error(`IP-Adapter image projection: ${key} is missing`);
  return t.shape;
}

class BaseProjection extends ParameterModel<{ proj: Linear; norm: LayerNorm }> implements ImageProjection {
  readonly kind = 'base';
  readonly crossDim: number;
  readonly numTokens: number;

  constructor(weights: WeightMap) {
    const [projOut, embedDim] = shape(weights, 'image_proj.proj.weight');
    const [crossDim] = shape(weights, 'image_proj.norm.weight');
    super('IPAdapterImageProjection', (root) => {
      const scope = root.child('image_proj');
      return { proj: new Linear(scope.child('proj'), embedDim, projOut), norm: new LayerNorm(scope.child('norm'), crossDim, NORM_EPS) };
    }, weights, {});
    this.crossDim = crossDim;
    this.numTokens = projOut / crossDim;
  }

  tokens(embeds: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => this.net.norm.apply(tf.reshape(this.net.proj.apply(embeds as tf.Tensor2D), [embeds.shape[0], this.numTokens, this.crossDim]) as tf.Tensor3D));
  }
}

class ResamplerLayer {
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly toQ: Linear;
  private readonly toKv: Linear;
  private readonly toOut: Linear;
  private readonly ffNorm: LayerNorm;
  private readonly ffIn: Linear;
  private readonly ffOut: Linear;

  constructor(scope: Scope, dim: number, private readonly inner: number, ffInner: number) {
    const attn = scope.child(0);
    this.norm1 = new LayerNorm(attn.child('norm1'), dim, NORM_EPS);
    this.norm2 = new LayerNorm(attn.child('norm2'), dim, NORM_EPS);
    this.toQ = new Linear(attn.child('to_q'), dim, inner, { bias: false });
    this.toKv = new Linear(attn.child('to_kv'), dim, inner * 2, { bias: false });
    this.toOut = new Linear(attn.child('to_out'), inner, dim, { bias: false });
    const ff = scope.child(1);
    this.ffNorm = new LayerNorm(ff.child(0), dim, NORM_EPS);
    this.ffIn = new Linear(ff.child(1), dim, ffInner, { bias: false });
    this.ffOut = new Linear(ff.child(3), ffInner, dim, { bias: false });
  }

  apply(x: tf.Tensor3D, latents: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const normedLatents = this.norm2.apply(latents);
      const kvInput = tf.concat([this.norm1.apply(x), normedLatents], 1);
      const [k, v] = tf.split(this.toKv.apply(kvInput), 2, -1) as [tf.Tensor3D, tf.Tensor3D];
      const attended = multiHeadAttention(this.toQ.apply(normedLatents), k, v, this.inner / RESAMPLER_HEAD_WIDTH);
      const afterAttn = tf.add(latents, this.toOut.apply(attended)) as tf.Tensor3D;
      return tf.add(afterAttn, this.ffOut.apply(gelu(this.ffIn.apply(this.ffNorm.apply(afterAttn))))) as tf.Tensor3D;
    });
  }
}

interface ResamplerModules {
  latents: ReturnType<Scope['param']>;
  projIn: Linear;
  layers: ResamplerLayer[];
  projOut: Linear;
  normOut: LayerNorm;
}

class PlusProjection extends ParameterModel<ResamplerModules> implements ImageProjection {
  readonly kind = 'plus';
  readonly crossDim: number;
  readonly numTokens: number;

  constructor(weights: WeightMap) {
    const [, numTokens, dim] = shape(weights, 'image_proj.latents');
    const [, embedDim] = shape(weights, 'image_proj.proj_in.weight');
    const [crossDim] = shape(weights, 'image_proj.proj_out.weight');
    const [inner] = shape(weights, 'image_proj.layers.0.0.to_q.weight');
    const [ffInner] = shape(weights, 'image_proj.layers.0.1.1.weight');
    const depth = new Set([...weights.keys()].map((k) => /^image_proj\.layers\.(\d+)\./.exec(k)?.[1]).filter((d) => d !== undefined)).size;
    if (inner % RESAMPLER_HEAD_WIDTH !== 0) throw new Error(`IP-Adapter resampler: to_q width ${inner} is not a multiple of the head width ${RESAMPLER_HEAD_WIDTH}`);
    super('IPAdapterPlusImageProjection', (root) => {
      const scope = root.child('image_proj');
      return {
        latents: scope.param('latents', [1, numTokens, dim], 'plain'),
        projIn: new Linear(scope.child('proj_in'), embedDim, dim),
        layers: Array.from({ length: depth }, (_, i) => new ResamplerLayer(scope.child('layers').child(i), dim, inner, ffInner)),
        projOut: new Linear(scope.child('proj_out'), dim, crossDim),
        normOut: new LayerNorm(scope.child('norm_out'), crossDim, NORM_EPS),
      };
    }, weights, {});
    this.crossDim = crossDim;
    this.numTokens = numTokens;
  }

  tokens(embeds: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const x = this.net.projIn.apply(embeds as tf.Tensor3D);
      let latents = tf.tile(this.net.latents.read(), [embeds.shape[0], 1, 1]) as tf.Tensor3D;
      for (const layer of this.net.layers) latents = layer.apply(x, latents);
      return this.net.normOut.apply(this.net.projOut.apply(latents));
    });
  }
}

/** The projection an adapter file holds: plus when it has the resampler's latents. */
export function imageProjection(weights: WeightMap): ImageProjection {
  return weights.has('image_proj.latents') ? new PlusProjection(weights) : new BaseProjection(weights);
}
