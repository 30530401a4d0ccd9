// transformers' CLIPVisionModelWithProjection (the IP-Adapter image encoder, OpenCLIP ViT-H/14 for SD 1.5): patch
// convolution without bias, class token, position embeddings, pre_layrnorm, pre-LayerNorm encoder layers, then
// post_layernorm on the class token and visual_projection without bias → image_embeds.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { declareParameters, ParameterModel } from '../layers/parameter-model.js';
import type { ModelOptions, ParameterSpec, Scope } from '../layers/parameters.js';
import { CLIPEncoderLayer } from './clip-encoder-layer.js';
import type { CLIPVisionConfig } from './clip-vision-config.js';

// A type alias (not an interface) so it is a tf.TensorContainer.
export type CLIPVisionOutput = {
  /** [B, projection_dim]. */
  imageEmbeds: tf.Tensor2D;
  /** [B, 1 + patches, hidden]: the last encoder layer's output (before post_layernorm). */
  lastHiddenState: tf.Tensor3D;
  /** [B, 1 + patches, hidden]: hidden_states[-2], what IP-Adapter-plus conditions on. */
  penultimateHiddenState: tf.Tensor3D;
};

const MODEL_NAME = 'CLIPVisionModelWithProjection';

function buildModules(config: CLIPVisionConfig, root: Scope) {
  const model = root.child('vision_model');
  const embeddings = model.child('embeddings');
  const patches = (config.imageSize / config.patchSize) ** 2;
  const p = config.patchSize;
  return {
    classEmbedding: embeddings.param('class_embedding', [config.hiddenSize], 'plain'),
    patchEmbedding: embeddings.child('patch_embedding').param('weight', [config.hiddenSize, config.numChannels, p, p], 'conv'),
    positionEmbedding: embeddings.child('position_embedding').param('weight', [patches + 1, config.hiddenSize], 'plain'),
    preLayerNorm: new LayerNorm(model.child('pre_layrnorm'), config.hiddenSize, config.layerNormEps),
    layers: Array.from({ length: config.numHiddenLayers }, (_, i) => new CLIPEncoderLayer(model.child('encoder').child('layers').child(i), config)),
    postLayerNorm: new LayerNorm(model.child('post_layernorm'), config.hiddenSize, config.layerNormEps),
    visualProjection: new Linear(root.child('visual_projection'), config.hiddenSize, config.projectionDim, { bias: false }),
  };
}

type VisionModules = ReturnType<typeof buildModules>;

export class CLIPVisionModelWithProjection extends ParameterModel<VisionModules> {
  constructor(
    readonly config: CLIPVisionConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    super(MODEL_NAME, (root) => buildModules(config, root), weights, { ...opts, ignoredKeys: [/^vision_model\.embeddings\.position_ids$/] });
  }

  static expectedParameters(config: CLIPVisionConfig): ReadonlyMap<string, ParameterSpec> {
    return declareParameters(MODEL_NAME, (root) => buildModules(config, root));
  }

  /** pixelValues NHWC [B, S, S, 3] (CLIPImageProcessor's output, S = image_size). */
  forward(pixelValues: tf.Tensor4D): CLIPVisionOutput {
    const { imageSize, numChannels, hiddenSize, patchSize } = this.config;
    const [b, h, w, c] = pixelValues.shape;
    if (h !== imageSize || w !== imageSize || c !== numChannels) {
      throw new Error(`CLIPVisionModelWithProjection: pixel values must be NHWC [B, ${imageSize}, ${imageSize}, ${numChannels}], got [${pixelValues.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const patches = tf.conv2d(pixelValues, this.net.patchEmbedding.read() as tf.Tensor4D, patchSize, 'valid');
      const tokens = tf.reshape(patches, [b, -1, hiddenSize]);
      const cls = tf.tile(tf.reshape(this.net.classEmbedding.read(), [1, 1, hiddenSize]), [b, 1, 1]);
      let hidden = this.net.preLayerNorm.apply(tf.add(tf.concat([cls, tokens], 1), this.net.positionEmbedding.read()) as tf.Tensor3D);
      let penultimate = hidden;
      for (const layer of this.net.layers) {
        penultimate = hidden;
        hidden = layer.apply(hidden);
      }
      const pooled = this.net.postLayerNorm.apply(tf.squeeze(tf.slice(hidden, [0, 0, 0], [b, 1, hiddenSize]), [1]) as tf.Tensor2D);
      return { imageEmbeds: this.net.visualProjection.apply(pooled), lastHiddenState: hidden, penultimateHiddenState: penultimate };
    });
  }
}
