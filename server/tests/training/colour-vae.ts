// A hand-built tiny VAE for the learning test. A randomly initialised AutoencoderKL keeps almost nothing of an
// image's colour (its GroupNorms and random convs scramble it), so no UNet, trained or not, could make the
// colour a prompt names visible through it. This one has the AutoencoderKL architecture but near-identity
// weights: the latent is the image's RGB averaged over 8x8 cells (4th channel 0), and the decoder maps it back
// monotonically per channel. Resnets and attention are identities (zero output convs); each colour channel
// shares its GroupNorm group with two large constant anchors (+-10), which makes the norm almost a fixed scale.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AutoencoderKL, parseAutoencoderKLConfig, disposeWeights, loadSafetensors, writeSafetensors } from '../../src/engine/training.js';

export const COLOUR_VAE_CONFIG = {
  _class_name: 'AutoencoderKL',
  block_out_channels: [16, 16, 16, 16],
  down_block_types: Array(4).fill('DownEncoderBlock2D'),
  up_block_types: Array(4).fill('UpDecoderBlock2D'),
  layers_per_block: 1,
  latent_channels: 4,
  norm_num_groups: 4,
  sample_size: 64,
  // Its latents are colours in about [-0.3, 0.8]: this scale gives them roughly unit spread, as 0.18215 does for SD's.
  scaling_factor: 2,
};

const ANCHOR = 10;
/** GroupNorm of {v, +A, -A, 0} is about v / (A / sqrt(2)); this gain undoes it. */
const NORM_GAIN = ANCHOR / Math.SQRT2;

type Arrays = Map<string, { shape: number[]; data: Float32Array }>;

function conv(w: Arrays, name: string, taps: (o: number, i: number, y: number, x: number) => number): void {
  const { shape, data } = w.get(`${name}.weight`) as { shape: number[]; data: Float32Array };
  const [o, i, kh, kw] = shape;
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    data[((a * i + b) * kh + y) * kw + x] = taps(a, b, y, x);
  }
}

function bias(w: Arrays, name: string, value: (c: number) => number): void {
  const { data } = w.get(`${name}.bias`) as { data: Float32Array };
  data.forEach((_, c) => (data[c] = value(c)));
}

/** Channel 4k carries colour k; 4k+1 and 4k+2 the +-ANCHOR constants (k = 0..2). */
const anchorBias = (c: number): number => (c % 4 === 1 && c < 12 ? ANCHOR : c % 4 === 2 && c < 12 ? -ANCHOR : 0);
const isColour = (c: number): boolean => c % 4 === 0 && c < 12;

/** Replaces the VAE weights of a diffusers folder written by writeRandomModel with the colour-preserving ones. */
export async function makeColourVae(modelDir: string): Promise<void> {
  const dir = path.join(modelDir, 'vae');
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(COLOUR_VAE_CONFIG, null, 2));
  const file = path.join(dir, 'diffusion_pytorch_model.safetensors');
  const config = parseAutoencoderKLConfig(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')));
  // Names and shapes from the model itself (built once over writeRandomModel's weights); all zero but norms.
  const w: Arrays = new Map();
  const random = await loadSafetensors(file);
  try {
    const model = new AutoencoderKL(config, random);
    for (const [name, spec] of model.parameterSpecs) {
      const data = new Float32Array(spec.torchShape.reduce((a, b) => a * b, 1));
      if (/norm[^.]*\.weight$/.test(name)) data.fill(1);
      w.set(name, { shape: [...spec.torchShape], data });
    }
    model.dispose();
  } finally {
    disposeWeights(random);
  }
  const centre = (o: number, i: number, y: number, x: number) => (o === i && y === 1 && x === 1 ? 1 : 0);
  conv(w, 'encoder.conv_in', (o, i, y, x) => (y === 1 && x === 1 && i < 3 && o === 4 * i ? 1 : 0));
  bias(w, 'encoder.conv_in', anchorBias);
  for (let b = 0; b < 3; b++) {
    // 2x2 average of the cell (the encoder pads only bottom/right, never reached on even sizes).
    conv(w, `encoder.down_blocks.${b}.downsamplers.0.conv`, (o, i, y, x) => (o === i && y < 2 && x < 2 ? 0.25 : 0));
    conv(w, `decoder.up_blocks.${b}.upsamplers.0.conv`, centre);
  }
  for (const part of ['encoder', 'decoder']) {
    const g = w.get(`${part}.conv_norm_out.weight`) as { data: Float32Array };
    g.data.forEach((_, c) => (g.data[c] = isColour(c) ? NORM_GAIN : 0));
  }
  // Mean channels 0..2 = colours, channel 3 = 0; log-variance -30 (std ~ 3e-7: the sample is the mean).
  conv(w, 'encoder.conv_out', (o, i, y, x) => (y === 1 && x === 1 && o < 3 && i === 4 * o ? 1 : 0));
  bias(w, 'encoder.conv_out', (c) => (c >= 4 ? -30 : 0));
  conv(w, 'quant_conv', (o, i) => (o === i ? 1 : 0));
  conv(w, 'post_quant_conv', (o, i) => (o === i ? 1 : 0));
  conv(w, 'decoder.conv_in', (o, i, y, x) => (y === 1 && x === 1 && i < 3 && o === 4 * i ? 1 : 0));
  bias(w, 'decoder.conv_in', anchorBias);
  // silu(x) ~ x/2 + x^2/4 near 0; the output gain maps the encoder's silu(colour) back to about [-1, 1].
  conv(w, 'decoder.conv_out', (o, i, y, x) => (y === 1 && x === 1 && o < 3 && i === 4 * o ? 2.5 : 0));
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, { shape, data }] of w) tensors.set(name, tf.tensor(data, shape));
  try {
    await writeSafetensors(file, tensors, { format: 'pt' });
  } finally {
    disposeWeights(tensors);
  }
}
