// npm run generate end to end: a seeded txt2img writes a PNG, the same one with the UNet offloaded to host
// memory (--offload-weights), and bad combinations are usage errors (exit 2).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';
import { SD_TINY, SD_TINY_FIXTURES } from './pipelines-helpers.js';

let root: string;
const generate = (args: string[]) => runScript('generate.ts', args);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'generate-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm run generate', () => {
  it('writes the same seeded image with resident and offloaded UNet weights', async () => {
    const common = ['--model', SD_TINY, '--prompt', 'a green scarf', '--steps', '3', '--seed', '9', '--width', '64', '--height', '64', '--backend', 'wasm'];
    const resident = await generate([...common, '--out', path.join(root, 'resident.png')]);
    expect(resident.code).toBe(0);
    expect(resident.stdout).toMatch(/wasm: wrote .*resident\.png \(seed 9\)/);
    const offloaded = await generate([...common, '--offload-weights', '--out', path.join(root, 'offloaded.png')]);
    expect(offloaded.code).toBe(0);
    const [a, b] = await Promise.all(['resident', 'offloaded'].map((n) => sharp(path.join(root, `${n}.png`)).raw().toBuffer({ resolveWithObject: true })));
    expect(a.info.width).toBe(64);
    expect(Buffer.compare(a.data, b.data)).toBe(0);
    expect((await readFile(path.join(root, 'offloaded.png'))).subarray(1, 4).toString()).toBe('PNG');
  });

  it('runs few-step LCM with a diffusers-format LoRA and decodes with TAESD (--scheduler lcm --taesd)', async () => {
    const ext = path.join(SD_TINY_FIXTURES, '../sd-tiny-ext');
    const common = ['--model', SD_TINY, '--prompt', 'a green scarf', '--scheduler', 'lcm', '--steps', '4', '--guidance', '1', '--seed', '9', '--width', '64', '--height', '72'];
    const lora = ['--lora', `${ext}/lora/sd-tiny-diffusers-lora.safetensors:1`];
    const vae = await generate([...common, ...lora, '--out', path.join(root, 'lcm-vae.png')]);
    const taesd = await generate([...common, ...lora, '--taesd', `${ext}/models/taesd-tiny`, '--out', path.join(root, 'lcm-taesd.png')]);
    expect([vae.code, taesd.code]).toEqual([0, 0]);
    const [a, b] = await Promise.all(['lcm-vae', 'lcm-taesd'].map((n) => sharp(path.join(root, `${n}.png`)).raw().toBuffer({ resolveWithObject: true })));
    expect([b.info.width, b.info.height]).toEqual([64, 72]);
    expect(Buffer.compare(a.data, b.data)).not.toBe(0);
  });

  it('refuses a LoRA on offloaded weights and a missing prompt with usage errors', async () => {
    const lora = await generate(['--model', SD_TINY, '--prompt', 'x', '--offload-weights', '--lora', `${SD_TINY_FIXTURES}/lora/sd-tiny-kohya.safetensors:1`]);
    expect(lora.code).toBe(2);
    expect(lora.stderr).toMatch(/--lora cannot be applied to offloaded weights/);
    const noPrompt = await generate(['--model', SD_TINY]);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toMatch(/--prompt is required/);
  });
});
