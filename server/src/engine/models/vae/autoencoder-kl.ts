// diffusers' AutoencoderKL: encode an image to the latent distribution's mean and log-variance, decode a
// latent to an image. NHWC throughout; images in [-1, 1].
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { Conv2d } from '../layers/conv2d.js';
import { declareParameters, ParameterModel } from '../layers/parameter-model.js';
import type { ModelOptions, ParameterSpec, Scope } from '../layers/parameters.js';
import type { AutoencoderKLConfig } from './vae-config.js';
import { VAEDecoder } from './vae-decoder.js';
import { VAEEncoder } from './vae-encoder.js';

// A type alias (not an interface) so it is a tf.TensorContainer: tf.tidy and tf.dispose take it.
export type LatentDistribution = {
  /** [B, H/f, W/f, latent_channels], not multiplied by the scaling factor. */
  mean: tf.Tensor4D;
  /** Same shape, clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution. */
  logvar: tf.Tensor4D;
  /** exp(logvar / 2). */
  std: tf.Tensor4D;
};

const MODEL_NAME = 'AutoencoderKL';

/** Building the modules declares every parameter (name, shape, layout) in `root`'s registry. */
function buildModules(config: AutoencoderKLConfig, root: Scope) {
  const latent2 = 2 * config.latentChannels;
  return {
    encoder: new VAEEncoder(root.child('encoder'), config),
    quantConv: config.useQuantConv ? new Conv2d(root.child('quant_conv'), latent2, latent2, 1) : undefined,
    postQuantConv: config.usePostQuantConv
      ? new Conv2d(root.child('post_quant_conv'), config.latentChannels, config.latentChannels, 1)
      : undefined,
    decoder: new VAEDecoder(root.child('decoder'), config),
  };
}

type VAEModules = ReturnType<typeof buildModules>;

export class AutoencoderKL extends ParameterModel<VAEModules> {
  constructor(
    readonly config: AutoencoderKLConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    super(MODEL_NAME, (root) => buildModules(config, root), weights, opts);
  }

  /** The parameters a config calls for (name, PyTorch shape, layout), without loading any weights. */
  static expectedParameters(config: AutoencoderKLConfig): ReadonlyMap<string, ParameterSpec> {
    return declareParameters(MODEL_NAME, (root) => buildModules(config, root));
  }

  /** Spatial down-scaling from image to latent (8 for SD). */
  get downscaleFactor(): number {
    return 2 ** (this.config.blockOutChannels.length - 1);
  }

  /** image NHWC [B, H, W, in_channels] in [-1, 1], H and W multiples of downscaleFactor. */
  encode(image: tf.Tensor4D): LatentDistribution {
    const f = this.downscaleFactor;
    const [, h, w, c] = image.shape;
    if (image.rank !== 4 || c !== this.config.inChannels || h % f !== 0 || w % f !== 0) {
      throw new Error(
        `AutoencoderKL.encode: image must be NHWC [B, H, W, ${this.config.inChannels}] with H and W multiples of ${f}, got [${image.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let moments = this.net.encoder.apply(image);
      if (this.net.quantConv !== undefined) moments = this.net.quantConv.apply(moments);
      const [mean, logvar] = tf.split(moments, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      const clamped = tf.clipByValue(logvar, -30, 20);
      return { mean, logvar: clamped, std: tf.exp(tf.mul(clamped, 0.5)) as tf.Tensor4D };
    });
  }

  /** z NHWC [B, h, w, latent_channels] (a pipeline passes latents / scalingFactor) -> image NHWC, not clamped. */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    if (z.rank !== 4 || z.shape[3] !== this.config.latentChannels) {
      throw new Error(`AutoencoderKL.decode: z must be NHWC [B, h, w, ${this.config.latentChannels}], got [${z.shape.join(', ')}]`);
    }
    return tf.tidy(() => this.net.decoder.apply(this.net.postQuantConv === undefined ? z : this.net.postQuantConv.apply(z)));
  }
}
