// diffusers' AutoencoderTiny (TAESD, madebyollin): a ~2.4 M-parameter convolutional encoder and decoder for SD's
// latent space, for live previews and fast decodes. Its modules are `nn.Sequential`s, so parameters are named by
// position (`decoder.layers.12.conv.2.weight`); the builders below walk the config in that same order.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../../types.js';
import { Conv2d } from '../layers/conv2d.js';
import { declareParameters, ParameterModel } from '../layers/parameter-model.js';
import type { ModelOptions, ParameterSpec, Scope } from '../layers/parameters.js';
import { bytesOf, layerStep, mapBands, runBandedSteps, upsampleRows2x, zipBands, type BandedStep, type RowBands } from '../layers/row-bands.js';
import type { AutoencoderTinyConfig } from './taesd-config.js';

const MODEL_NAME = 'AutoencoderTiny';

/** AutoencoderTinyBlock: relu(conv3(relu(conv2(relu(conv1(x))))) + skip(x)); skip is a 1x1 conv when widths differ. */
class TinyBlock {
  private readonly convs: Conv2d[];
  private readonly skip: Conv2d | undefined;

  constructor(scope: Scope, inChannels: number, outChannels: number) {
    const conv = scope.child('conv');
    this.convs = [0, 2, 4].map((i, n) => new Conv2d(conv.child(i), n === 0 ? inChannels : outChannels, outChannels, 3));
    this.skip = inChannels === outChannels ? undefined : new Conv2d(scope.child('skip'), inChannels, outChannels, 1, { bias: false });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [a, b, c] = this.convs;
      const h = c.apply(tf.relu(b.apply(tf.relu(a.apply(x)))));
      return tf.relu(tf.add(h, this.skip ? this.skip.apply(x) : x)) as tf.Tensor4D;
    });
  }

  applyBands(x: RowBands): RowBands {
    return tf.tidy(() => {
      const [a, b, c] = this.convs;
      const h = c.applyBands(mapBands(b.applyBands(mapBands(a.applyBands(x), tf.relu)), tf.relu));
      return zipBands(h, this.skip ? this.skip.applyBands(x) : x, (hh, skip) => tf.relu(tf.add(hh, skip)) as tf.Tensor4D);
    });
  }

  /** The largest tensor apply() makes from input [B, H, W, in]: a zero-padded conv input. */
  peakBytes([b, h, w, c]: readonly number[]): number {
    return bytesOf([b, h + 2, w + 2, Math.max(c, this.convs[0].outChannels)]);
  }
}

/** A convolution followed by `after` (an element-wise function), whole or banded. */
function convStep(conv: Conv2d, after: (t: tf.Tensor4D) => tf.Tensor4D = (t) => t): BandedStep {
  return { whole: (t) => after(conv.apply(t)), bands: (t) => mapBands(conv.applyBands(t), after), peakBytes: (shape) => conv.peakBytes(shape) };
}

const upsample2x: BandedStep = {
  whole: (t) => tf.image.resizeNearestNeighbor(t, [t.shape[1] * 2, t.shape[2] * 2]),
  bands: upsampleRows2x,
  peakBytes: ([b, h, w, c]) => bytesOf([b, 2 * h, 2 * w, c]),
};

/** EncoderTiny: conv, then per stage (a stride-2 conv from the second on) its blocks, then conv to the latents. */
function buildEncoder(scope: Scope, config: AutoencoderTinyConfig): BandedStep[] {
  const layers = scope.child('layers');
  const steps: BandedStep[] = [];
  let index = 0;
  let width = config.inChannels;
  config.encoderBlockOutChannels.forEach((channels, stage) => {
    const conv =
      stage === 0 ? new Conv2d(layers.child(index++), width, channels, 3) : new Conv2d(layers.child(index++), width, channels, 3, { stride: 2, bias: false });
    steps.push(convStep(conv));
    width = channels;
    for (let b = 0; b < config.numEncoderBlocks[stage]; b++) steps.push(layerStep(new TinyBlock(layers.child(index++), width, channels)));
  });
  steps.push(convStep(new Conv2d(layers.child(index), width, config.latentChannels, 3)));
  return steps;
}

/** DecoderTiny: conv + relu, then per stage its blocks, a 2x nearest upsample and a conv (the last stage's is conv_out). */
function buildDecoder(scope: Scope, config: AutoencoderTinyConfig): BandedStep[] {
  const layers = scope.child('layers');
  const channels0 = config.decoderBlockOutChannels[0];
  const steps: BandedStep[] = [convStep(new Conv2d(layers.child(0), config.latentChannels, channels0, 3), tf.relu)];
  let index = 2;
  let width = channels0;
  const last = config.decoderBlockOutChannels.length - 1;
  config.decoderBlockOutChannels.forEach((channels, stage) => {
    for (let b = 0; b < config.numDecoderBlocks[stage]; b++) {
      steps.push(layerStep(new TinyBlock(layers.child(index++), width, channels)));
      width = channels;
    }
    if (stage !== last) {
      index++;
      steps.push(upsample2x);
    }
    const isFinal = stage === last;
    steps.push(convStep(new Conv2d(layers.child(index++), width, isFinal ? config.outChannels : width, 3, { bias: isFinal })));
  });
  return steps;
}

function buildModules(config: AutoencoderTinyConfig, root: Scope) {
  return { encoder: buildEncoder(root.child('encoder'), config), decoder: buildDecoder(root.child('decoder'), config) };
}

type TinyModules = ReturnType<typeof buildModules>;

export class AutoencoderTiny extends ParameterModel<TinyModules> {
  constructor(
    readonly config: AutoencoderTinyConfig,
    weights: WeightMap,
    opts: ModelOptions = {},
  ) {
    super(MODEL_NAME, (root) => buildModules(config, root), weights, opts);
  }

  static expectedParameters(config: AutoencoderTinyConfig): ReadonlyMap<string, ParameterSpec> {
    return declareParameters(MODEL_NAME, (root) => buildModules(config, root));
  }

  /** Spatial down-scaling from image to latent (8 for SD's TAESD). */
  get downscaleFactor(): number {
    return 2 ** (this.config.encoderBlockOutChannels.length - 1);
  }

  /** image NHWC in [-1, 1] → latents (deterministic: TAESD has no distribution). */
  encode(image: tf.Tensor4D): tf.Tensor4D {
    const f = this.downscaleFactor;
    const [, h, w, c] = image.shape;
    if (c !== this.config.inChannels || h % f !== 0 || w % f !== 0) {
      throw new Error(`AutoencoderTiny.encode: image must be NHWC [B, H, W, ${this.config.inChannels}] with H and W multiples of ${f}, got [${image.shape.join(', ')}]`);
    }
    // TAESD's encoder takes [0, 1] pixels.
    // Activations over the tensor limit go in row bands (row-bands.ts).
    return tf.tidy(() => runBandedSteps(tf.div(tf.add(image, 1), 2) as tf.Tensor4D, this.net.encoder));
  }

  /** latents NHWC → image NHWC, about [-1, 1], not clamped (as AutoencoderKL.decode). */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    if (latents.rank !== 4 || latents.shape[3] !== this.config.latentChannels) {
      throw new Error(`AutoencoderTiny.decode: latents must be NHWC [B, h, w, ${this.config.latentChannels}], got [${latents.shape.join(', ')}]`);
    }
    // tanh(x / 3) · 3 bounds the latents; the decoder's [0, 1] output is mapped to diffusers' [-1, 1].
    return tf.tidy(() => {
      const out = runBandedSteps(tf.mul(tf.tanh(tf.div(latents, 3)), 3) as tf.Tensor4D, this.net.decoder);
      return tf.sub(tf.mul(out, 2), 1) as tf.Tensor4D;
    });
  }
}
