// The same generation run three times leaves no tensor behind (txt2img with guidance, and inpaint).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStableDiffusion, type StableDiffusionModel } from '../../src/engine/stable-diffusion.js';
import { centreMask, gradientImage, SD_TINY, SD_TINY_INPAINT, useWasm } from './pipelines-helpers.js';

let sd: StableDiffusionModel;
let sdInpaint: StableDiffusionModel;

beforeAll(async () => {
  await useWasm();
  sd = await loadStableDiffusion(SD_TINY);
  sdInpaint = await loadStableDiffusion(SD_TINY_INPAINT);
});
afterAll(() => {
  sd?.dispose();
  sdInpaint?.dispose();
});

async function countsOverRuns(run: () => Promise<unknown>): Promise<number[]> {
  const counts = [tf.memory().numTensors];
  for (let i = 0; i < 3; i++) {
    await run();
    counts.push(tf.memory().numTensors);
  }
  return counts;
}

describe('tensor leaks', () => {
  it('txt2img (PNDM multistep history, guidance, batch 2) keeps numTensors flat', async () => {
    const counts = await countsOverRuns(() =>
      sd.txt2img({ prompt: 'a cat', negativePrompt: 'blurry', numImagesPerPrompt: 2, height: 64, width: 64, numInferenceSteps: 4, seed: 1 }),
    );
    expect(new Set(counts).size).toBe(1);
  });

  it('txt2img with ancestral noise and img2img keep numTensors flat', async () => {
    const image = gradientImage(64, 64);
    const counts = await countsOverRuns(async () => {
      await sd.txt2img({ prompt: 'a', height: 64, width: 64, numInferenceSteps: 3, scheduler: 'euler_a', seed: 2 });
      await sd.img2img({ prompt: 'b', image, strength: 0.7, numInferenceSteps: 4, scheduler: 'lms', seed: 3 });
    });
    image.dispose();
    expect(new Set(counts).size).toBe(1);
  });

  it('inpaint keeps numTensors flat', async () => {
    const image = gradientImage(64, 64);
    const mask = centreMask(64, 64);
    const counts = await countsOverRuns(() =>
      sdInpaint.inpaint({ prompt: 'a door', image, mask, numInferenceSteps: 3, scheduler: 'dpmpp_2m_karras', seed: 4 }),
    );
    tf.dispose([image, mask]);
    expect(new Set(counts).size).toBe(1);
  });

  it('a LoRA applied and removed per request keeps numTensors flat', async () => {
    const { SD_TINY_FIXTURES } = await import('./pipelines-helpers.js');
    const counts = await countsOverRuns(async () => {
      const lora = await sd.applyLora(`${SD_TINY_FIXTURES}/lora/sd-tiny-kohya.safetensors`, 0.8);
      try {
        await sd.txt2img({ prompt: 'a', height: 64, width: 64, numInferenceSteps: 2, seed: 5 });
      } finally {
        lora.remove();
      }
    });
    expect(new Set(counts).size).toBe(1);
  });
});
