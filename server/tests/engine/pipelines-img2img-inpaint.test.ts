// img2img and inpaint on the shared tiny models: strength, masks, sizes, and their input checks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NormalStream } from '../../src/engine/random.js';
import { prepareMask } from '../../src/engine/pipelines/inpaint.js';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { centreMask, gradientImage, maxAbsDiff, SD_TINY, SD_TINY_INPAINT, useWasm } from './pipelines-helpers.js';

let sd: StableDiffusionModel;
let sdInpaint: StableDiffusionModel;
let image: tf.Tensor4D;
let mask: tf.Tensor4D;

beforeAll(async () => {
  await useWasm();
  sd = await loadStableDiffusion(SD_TINY);
  sdInpaint = await loadStableDiffusion(SD_TINY_INPAINT);
  image = gradientImage(64, 48);
  mask = centreMask(64, 48);
});
afterAll(() => {
  sd?.dispose();
  sdInpaint?.dispose();
  tf.dispose([image, mask]);
});

describe('img2img', () => {
  it('runs trunc(steps × strength) steps from the image and takes its size', async () => {
    const timesteps: number[] = [];
    const r = await sd.img2img({ prompt: 'p', image, strength: 0.5, numInferenceSteps: 6, scheduler: 'ddim', seed: 3, onStep: ({ timestep }) => void timesteps.push(timestep) });
    expect(r.shape).toEqual([1, 64, 48, 3]);
    // DDIM leading, 6 steps: 831, 665, 499, 333, 167, 1; trunc(6 × 0.5) = 3 steps from index 3.
    expect(timesteps).toEqual([333, 167, 1]);
    expect(r.timesteps).toEqual(timesteps);
  });

  it('stays closer to the image (as the VAE reproduces it) at low strength', async () => {
    const opts = { prompt: 'p', image, numInferenceSteps: 10, scheduler: 'ddim', seed: 8, guidanceScale: 1 } as const;
    // The random VAE does not reproduce the image itself, so compare with its own round trip of the
    // latent sample the run draws first from seed 8.
    const roundTrip = tf.tidy(() => {
      const { mean, std } = sd.vae.encode(tf.sub(tf.mul(image, 2), 1) as tf.Tensor4D);
      const eps = tf.tensor(new NormalStream(8).next(mean.size), mean.shape);
      return tf.clipByValue(tf.add(tf.div(sd.vae.decode(tf.add(mean, tf.mul(std, eps))), 2), 0.5), 0, 1);
    });
    const reference = roundTrip.dataSync();
    roundTrip.dispose();
    const low = await sd.img2img({ ...opts, strength: 0.1 });
    const high = await sd.img2img({ ...opts, strength: 1 });
    expect(maxAbsDiff(low.pixels, high.pixels)).toBeGreaterThan(0.01);
    const distance = (p: Float32Array) => p.reduce((s, v, i) => s + Math.abs(v - reference[i]), 0);
    expect(distance(low.pixels)).toBeLessThan(distance(high.pixels) / 4);
  });

  it('repeats one input image for a batch', async () => {
    const r = await sd.img2img({ prompt: ['a', 'b'], image, strength: 0.6, numInferenceSteps: 3, scheduler: 'euler_a', seed: 1 });
    expect(r.shape).toEqual([2, 64, 48, 3]);
    expect(r.seeds).toEqual([1, 2]);
  });

  it.each([
    [{ strength: 0 }, 'strength must be in (0, 1], got 0'],
    [{ strength: 1.5 }, 'strength must be in (0, 1], got 1.5'],
    [{ strength: 0.1, numInferenceSteps: 5 }, 'strength 0.1 × numInferenceSteps 5 leaves no step to run'],
  ])('rejects %o', async (bad, message) => {
    await expect(sd.img2img({ prompt: 'p', image, numInferenceSteps: 4, ...bad })).rejects.toThrow(message);
  });

  it('rejects an image that is not NHWC RGB with sides a multiple of 8', async () => {
    const gray = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    const odd = tf.zeros([1, 60, 64, 3]) as tf.Tensor4D;
    await expect(sd.img2img({ prompt: 'p', image: gray })).rejects.toThrow('image must have 3 channel(s), got 1 (shape [1, 64, 64, 1])');
    await expect(sd.img2img({ prompt: 'p', image: odd })).rejects.toThrow('height must be a multiple of 8, got 60');
    tf.dispose([gray, odd]);
  });
});

describe('inpaint', () => {
  it('binarises the mask at 0.5, blanks the masked pixels and samples the mask at every 8th pixel', () => {
    const soft = tf.tensor4d([0.2, 0.5, 0.49, 0.9], [1, 2, 2, 1]);
    const rgb = tf.fill([1, 2, 2, 3], 0.75) as tf.Tensor4D;
    const m = prepareMask(rgb, soft, 1);
    expect(Array.from(m.maskBinarized.dataSync())).toEqual([0, 1, 0, 1]);
    expect(Array.from(m.maskedImage.dataSync())).toEqual([0.5, 0.5, 0.5, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0, 0]);
    tf.dispose([soft, rgb, m.maskBinarized, m.maskedImage, m.maskLatent]);
    const big = prepareMask(image, mask, 8);
    expect(big.maskLatent.shape).toEqual([1, 8, 6, 1]);
    // Row 2, column 2 of the latent mask is pixel (16, 16): inside the centre square.
    expect(Array.from(big.maskLatent.dataSync()).slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(big.maskLatent.dataSync()[2 * 6 + 2]).toBe(1);
    tf.dispose([big.maskBinarized, big.maskedImage, big.maskLatent]);
  });

  it('repaints with the 9-channel UNet, deterministic per seed', async () => {
    const opts = { prompt: 'a red door', image, mask, numInferenceSteps: 3, scheduler: 'dpmpp_2m', seed: 21 } as const;
    const a = await sdInpaint.inpaint(opts);
    const b = await sdInpaint.inpaint(opts);
    expect(a.shape).toEqual([1, 64, 48, 3]);
    expect(maxAbsDiff(a.pixels, b.pixels)).toBe(0);
    const partial = await sdInpaint.inpaint({ ...opts, strength: 0.5, numInferenceSteps: 4 });
    expect(partial.timesteps).toHaveLength(2);
  });

  it('needs an inpainting UNet, and txt2img refuses one', async () => {
    await expect(sd.inpaint({ prompt: 'p', image, mask })).rejects.toThrow(
      'inpaint needs an inpainting UNet with 9 input channels, this one has 4',
    );
    await expect(sdInpaint.txt2img({ prompt: 'p', height: 64, width: 64 })).rejects.toThrow(
      'txt2img needs a UNet with 4 input channels, this one has 9',
    );
  });

  it('rejects a mask of another size or with 3 channels', async () => {
    const smallMask = centreMask(32, 48);
    const rgbMask = tf.zeros([1, 64, 48, 3]) as tf.Tensor4D;
    await expect(sdInpaint.inpaint({ prompt: 'p', image, mask: smallMask })).rejects.toThrow('mask is 48x32 but image is 48x64');
    await expect(sdInpaint.inpaint({ prompt: 'p', image, mask: rgbMask })).rejects.toThrow('mask must have 1 channel(s), got 3');
    tf.dispose([smallMask, rgbMask]);
  });
});
