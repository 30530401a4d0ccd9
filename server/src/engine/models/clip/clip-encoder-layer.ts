// transformers' CLIPEncoderLayer, shared by the text and the vision tower: pre-LayerNorm self-attention (q/k/v/out
// with biases) and an MLP (fc1, activation, fc2), each with a residual.
import * as tf from '@tensorflow/tfjs-core';
import { activation, type ActivationName } from '../layers/activations.js';
import { multiHeadAttention } from '../layers/attention.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import type { Scope } from '../layers/parameters.js';

export interface CLIPEncoderConfig {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numAttentionHeads: number;
  readonly hiddenAct: ActivationName;
  readonly layerNormEps: number;
}

export class CLIPEncoderLayer {
  private readonly layerNorm1: LayerNorm;
  private readonly qProj: Linear;
  private readonly kProj: Linear;
  private readonly vProj: Linear;
  private readonly outProj: Linear;
  private readonly layerNorm2: LayerNorm;
  private readonly fc1: Linear;
  private readonly fc2: Linear;

  constructor(
    scope: Scope,
    private readonly config: CLIPEncoderConfig,
  ) {
    const { hiddenSize: d, intermediateSize, layerNormEps } = config;
    const attn = scope.child('self_attn');
    this.layerNorm1 = new LayerNorm(scope.child('layer_norm1'), d, layerNormEps);
    this.qProj = new Linear(attn.child('q_proj'), d, d);
    this.kProj = new Linear(attn.child('k_proj'), d, d);
    this.vProj = new Linear(attn.child('v_proj'), d, d);
    this.outProj = new Linear(attn.child('out_proj'), d, d);
    this.layerNorm2 = new LayerNorm(scope.child('layer_norm2'), d, layerNormEps);
    this.fc1 = new Linear(scope.child('mlp').child('fc1'), d, intermediateSize);
    this.fc2 = new Linear(scope.child('mlp').child('fc2'), intermediateSize, d);
  }

  /** `mask`: additive [L, L] (the text model's causal mask); the vision model has none. */
  apply(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.layerNorm1.apply(x);
      const attn = multiHeadAttention(
        this.qProj.apply(h),
        this.kProj.apply(h),
        this.vProj.apply(h),
        this.config.numAttentionHeads,
        mask,
      );
      const afterAttn = tf.add(x, this.outProj.apply(attn));
      const act = activation(this.config.hiddenAct);
      return tf.add(afterAttn, this.fc2.apply(act(this.fc1.apply(this.layerNorm2.apply(afterAttn)))));
    });
  }
}
