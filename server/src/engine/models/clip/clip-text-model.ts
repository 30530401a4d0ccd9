// transformers' CLIPTextModel: token + position embeddings, pre-LayerNorm transformer layers with a causal
// mask, final LayerNorm. Stable Diffusion passes no attention mask, so only the causal mask applies.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { LayerNorm } from '../layers/norm.js';
import { declareParameters, ParameterModel } from '../layers/parameter-model.js';
import type { ModelOptions, ParameterSpec, Scope } from '../layers/parameters.js';
import type { CLIPTextConfig } from './clip-text-config.js';
import { gatherRows } from '../layers/embedding.js';
import { CLIPEncoderLayer } from './clip-encoder-layer.js';

// A type alias (not an interface) so it is a tf.TensorContainer: tf.tidy and tf.dispose take it.
export type CLIPTextOutput = {
  /** [B, L, hidden]: the final LayerNorm of the last layer, or of an earlier one with clipSkip. */
  lastHiddenState: tf.Tensor3D;
  /** [B, hidden]: the final-layer state at the end token (not used by Stable Diffusion). */
  pooledOutput: tf.Tensor2D;
};

const MODEL_NAME = 'CLIPTextModel';

/** Building the modules declares every parameter (name, shape, layout) in `root`'s registry. */
function buildModules(config: CLIPTextConfig, root: Scope) {
  const model = root.child('text_model');
  const embeddings = model.child('embeddings');
  return {
    tokenEmbedding: embeddings.child('token_embedding').param('weight', [config.vocabSize, config.hiddenSize], 'plain'),
    positionEmbedding: embeddings
      .child('position_embedding')
      .param('weight', [config.maxPositionEmbeddings, config.hiddenSize], 'plain'),
    layers: Array.from(
      { length: config.numHiddenLayers },
      (_, i) => new CLIPEncoderLayer(model.child('encoder').child('layers').child(i), config),
    ),
    finalLayerNorm: new LayerNorm(model.child('final_layer_norm'), config.hiddenSize, config.layerNormEps),
  };
}

type CLIPModules = ReturnType<typeof buildModules>;

export class CLIPTextModel extends ParameterModel<CLIPModules> {
  constructor(
    readonly config: CLIPTextConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    // position_ids is a buffer that real SD checkpoints carry; it is always 0..L-1.
    super(MODEL_NAME, (root) => buildModules(config, root), weights, { ...opts, ignoredKeys: [/^text_model\.embeddings\.position_ids$/] });
  }

  /** The parameters a config calls for (name, PyTorch shape, layout), without loading any weights. */
  static expectedParameters(config: CLIPTextConfig): ReadonlyMap<string, ParameterSpec> {
    return declareParameters(MODEL_NAME, (root) => buildModules(config, root));
  }

  /**
   * inputIds int32 [B, L] (L <= max_position_embeddings), every id in the vocabulary: ids from the tokenizer are
   * checked as numbers (checkTokenIds), others with `await checkInputIds(ids)` first. clipSkip as diffusers: the
   * final LayerNorm applied to hidden_states[-(clipSkip + 1)], the output of the layer clipSkip before the last.
   */
  forward(inputIds: tf.Tensor2D, opts: { clipSkip?: number } = {}): CLIPTextOutput {
    const clipSkip = opts.clipSkip ?? 0;
    this.checkInputs(inputIds, clipSkip);
    return tf.tidy(() => {
      const [, len] = inputIds.shape;
      const ids = inputIds.dtype === 'int32' ? inputIds : tf.cast(inputIds, 'int32');
      const tokens = gatherRows(this.net.tokenEmbedding.readPieces(), ids);
      const positions = tf.slice(this.net.positionEmbedding.read(), [0, 0], [len, this.config.hiddenSize]);
      const mask = causalMask(len);
      let hidden = tf.add(tokens, positions) as tf.Tensor3D;
      let skipped: tf.Tensor3D | undefined;
      this.net.layers.forEach((layer, i) => {
        hidden = layer.apply(hidden, mask);
        if (clipSkip > 0 && i === this.net.layers.length - 1 - clipSkip) skipped = hidden;
      });
      const last = this.net.finalLayerNorm.apply(hidden);
      return {
        lastHiddenState: skipped === undefined ? last : this.net.finalLayerNorm.apply(skipped),
        pooledOutput: this.pool(last, ids),
      };
    });
  }

  private pool(last: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
    const len = ids.shape[1];
    // Porting note: transformers keeps argmax(ids) for configs with eos_token_id 2 (the original CLIP ones).
    const position = this.config.eosTokenId === 2 ? tf.argMax(ids, -1) : tf.argMax(tf.cast(tf.equal(ids, this.config.eosTokenId), 'int32'), -1);
    const select = tf.expandDims(tf.oneHot(position as tf.Tensor1D, len), -1);
    return tf.sum(tf.mul(last, select), 1);
  }

  /** Reads the ids (a few hundred numbers) and checks them against the vocabulary. */
  async checkInputIds(inputIds: tf.Tensor2D): Promise<void> {
    checkTokenIds(await inputIds.data(), this.config.vocabSize);
  }

  private checkInputs(inputIds: tf.Tensor2D, clipSkip: number): void {
    if (inputIds.rank !== 2) throw new Error(`CLIPTextModel: input ids must be [batch, length], got shape [${inputIds.shape.join(', ')}]`);
    const len = inputIds.shape[1];
    if (len < 1 || len > this.config.maxPositionEmbeddings) {
      throw new Error(`CLIPTextModel: sequence length must be 1..${this.config.maxPositionEmbeddings}, got ${len}`);
    }
    if (!Number.isInteger(clipSkip) || clipSkip < 0 || clipSkip >= this.config.numHiddenLayers) {
      throw new Error(`CLIPTextModel: clipSkip must be an integer in 0..${this.config.numHiddenLayers - 1}, got ${clipSkip}`);
    }
  }
}

/**
 * An id outside the table would make gather read garbage, so ids are checked before a forward pass, where they
 * are still numbers in JS (forward itself cannot read a tensor: webgpu has no synchronous read).
 */
export function checkTokenIds(ids: ArrayLike<number>, vocabSize: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocabSize)) throw new Error(`CLIPTextModel: token id ${id} at position ${i} is outside the vocabulary (0..${vocabSize - 1})`);
  }
}

/** Additive [L, L] mask: 0 on and below the diagonal, a large negative number above it. */
function causalMask(len: number): tf.Tensor2D {
  const upper = tf.sub(tf.ones([len, len]), tf.linalg.bandPart(tf.ones([len, len]), -1, 0));
  return tf.mul(upper, -1e9);
}
