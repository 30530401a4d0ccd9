// diffusers' AutoencoderKL: encode an image to the latent distribution's mean and log-variance, decode a
// latent to an image. NHWC throughout; images in [-1, 1].
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterHolder, WeightMap } from '../../types.js';
import { Conv2d } from '../layers/conv2d.js';
import { modulePaths } from '../layers/module-paths.js';
import { type ModelOptions, ParameterRegistry, type ParameterSpec, type Scope } from '../layers/parameters.js';
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

export class AutoencoderKL implements ParameterHolder {
  private readonly registry: ParameterRegistry;
  private readonly encoder: VAEEncoder;
  private readonly decoder: VAEDecoder;
  private readonly quantConv: Conv2d | undefined;
  private readonly postQuantConv: Conv2d | undefined;

  constructor(
    readonly config: AutoencoderKLConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    this.registry = new ParameterRegistry('AutoencoderKL');
    ({ encoder: this.encoder, quantConv: this.quantConv, postQuantConv: this.postQuantConv, decoder: this.decoder } =
      buildModules(config, this.registry.root()));
    this.registry.bind(weights, opts);
  }

  /** The parameters a config calls for (name, PyTorch shape, layout), without loading any weights. */
  static expectedParameters(config: AutoencoderKLConfig): ReadonlyMap<string, ParameterSpec> {
    const registry = new ParameterRegistry('AutoencoderKL');
    buildModules(config, registry.root());
    return registry.parameterSpecs;
  }

  get parameters(): Map<string, tf.Variable> {
    return this.registry.parameters;
  }

  get parameterSpecs(): ReadonlyMap<string, ParameterSpec> {
    return this.registry.parameterSpecs;
  }

  modulePaths(): string[] {
    return modulePaths(this.registry.parameterSpecs);
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
      let moments = this.encoder.apply(image);
      if (this.quantConv !== undefined) moments = this.quantConv.apply(moments);
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
    return tf.tidy(() => this.decoder.apply(this.postQuantConv === undefined ? z : this.postQuantConv.apply(z)));
  }

  dispose(): void {
    this.registry.dispose();
  }
}
