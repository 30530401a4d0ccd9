// Every bad input is refused at the edge with a clear status and message, and nothing is queued for it.
import { pngBomb } from './png-bomb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { GenerateRequest, TrainRequest } from '@fitting-room/proto';
import { cancelJob, collect, connect, generate, getJob, listJobs, solidImage, startTestServer } from './helpers.js';

let server: RunningServer;
let client: TryOnClient;
let photo: Buffer;
let tooManyPixels: Buffer;

beforeAll(async () => {
  server = await startTestServer({ maxImagePixels: 1_000_000 });
  client = connect(server);
  photo = await solidImage(64, 48, 'jpeg');
  tooManyPixels = await solidImage(1100, 1000, 'png');
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

const base: GenerateRequest = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a coat', steps: 2, width: 32, height: 32, seed: 1 };

interface Case {
  name: string;
  request: () => GenerateRequest;
  code: status;
  /** Words the message must contain (it names the field and the value). */
  says: string[];
}

const cases: Case[] = [
  { name: 'mode not set', request: () => ({ ...base, mode: 'MODE_UNSPECIFIED' }), code: status.INVALID_ARGUMENT, says: ['mode', 'MODE_UNSPECIFIED'] },
  { name: 'init image that is not an image', request: () => ({ ...base, mode: 'MODE_IMAGE_TO_IMAGE', init_image: Buffer.from('GIF89a not really') }), code: status.INVALID_ARGUMENT, says: ['init_image', 'not a decodable image'] },
  { name: 'person photo that is text', request: () => ({ ...base, mode: 'MODE_TRY_ON', person_image: Buffer.from('hello'), garment_image: photo }), code: status.INVALID_ARGUMENT, says: ['person_image'] },
  { name: 'missing garment image for try-on', request: () => ({ ...base, mode: 'MODE_TRY_ON', person_image: photo }), code: status.INVALID_ARGUMENT, says: ['garment_image', 'required'] },
  { name: 'inpaint without a mask', request: () => ({ ...base, mode: 'MODE_INPAINT', init_image: photo }), code: status.INVALID_ARGUMENT, says: ['mask_image', 'required'] },
  { name: 'image over the pixel limit', request: () => ({ ...base, mode: 'MODE_IMAGE_TO_IMAGE', init_image: tooManyPixels }), code: status.INVALID_ARGUMENT, says: ['init_image', '1100x1000', 'limit'] },
  { name: 'decompression bomb (60000x60000 header, tiny file)', request: () => ({ ...base, mode: 'MODE_IMAGE_TO_IMAGE', init_image: pngBomb(60_000, 60_000) }), code: status.INVALID_ARGUMENT, says: ['init_image', '60000x60000', 'limit'] },
  { name: 'steps out of range', request: () => ({ ...base, steps: 5000 }), code: status.INVALID_ARGUMENT, says: ['steps', '5000'] },
  { name: 'guidance out of range', request: () => ({ ...base, guidance_scale: 99 }), code: status.INVALID_ARGUMENT, says: ['guidance_scale', '99'] },
  { name: 'guidance not a number', request: () => ({ ...base, guidance_scale: Number.NaN }), code: status.INVALID_ARGUMENT, says: ['guidance_scale'] },
  { name: 'strength over 1', request: () => ({ ...base, strength: 1.5 }), code: status.INVALID_ARGUMENT, says: ['strength', '1.5'] },
  { name: 'width not a multiple of 8', request: () => ({ ...base, width: 33 }), code: status.INVALID_ARGUMENT, says: ['width', 'multiple of 8', '33'] },
  { name: 'height too large', request: () => ({ ...base, height: 4096 }), code: status.INVALID_ARGUMENT, says: ['height', '4096'] },
  { name: 'only one of width and height', request: () => ({ ...base, height: 0 }), code: status.INVALID_ARGUMENT, says: ['width and height', '32x0'] },
  { name: 'too many images', request: () => ({ ...base, num_images: 50 }), code: status.INVALID_ARGUMENT, says: ['num_images', '50'] },
  { name: 'seed beyond 2^53', request: () => ({ ...base, seed: '18446744073709551615' }), code: status.INVALID_ARGUMENT, says: ['seed'] },
  { name: 'unknown scheduler', request: () => ({ ...base, scheduler: 'magic' }), code: status.INVALID_ARGUMENT, says: ['scheduler', 'magic'] },
  { name: 'unknown model', request: () => ({ ...base, model: 'sd-huge' }), code: status.NOT_FOUND, says: ['sd-huge', 'sd-tiny'] },
  { name: 'inpainting model for text-to-image', request: () => ({ ...base, model: 'sd-tiny-inpaint' }), code: status.NOT_FOUND, says: ['sd-tiny-inpaint'] },
  { name: 'unknown LoRA', request: () => ({ ...base, loras: [{ name: 'nope', scale: 1 }] }), code: status.NOT_FOUND, says: ['LoRA', 'nope', 'sd-tiny-kohya'] },
  { name: 'model name with a path', request: () => ({ ...base, model: '../../etc/passwd' }), code: status.INVALID_ARGUMENT, says: ['model', 'path separators'] },
  { name: 'LoRA name with a backslash', request: () => ({ ...base, loras: [{ name: 'a\\b', scale: 1 }] }), code: status.INVALID_ARGUMENT, says: ['loras[0].name', 'path separators'] },
  { name: 'LoRA scale out of range', request: () => ({ ...base, loras: [{ name: 'sd-tiny-kohya', scale: 40 }] }), code: status.INVALID_ARGUMENT, says: ['loras.0.scale', '40'] },
  { name: 'unknown try-on engine', request: () => ({ ...base, mode: 'MODE_TRY_ON', engine: 'magic' }), code: status.INVALID_ARGUMENT, says: ['engine', 'magic'] },
  { name: 'TAESD decoder without a TAESD model', request: () => ({ ...base, decoder: 'DECODER_TAESD' }), code: status.INVALID_ARGUMENT, says: ['decoder', 'TAESD', 'npm run weights -- taesd'] },
  { name: 'image prompt without an IP-Adapter', request: () => ({ ...base, image_prompt: photo }), code: status.INVALID_ARGUMENT, says: ['image_prompt', 'IP-Adapter', 'npm run weights -- ip-adapter-plus-sd15'] },
  { name: 'IP-Adapter try-on without an IP-Adapter', request: () => ({ ...base, mode: 'MODE_TRY_ON', person_image: photo, garment_image: photo, garment_conditioning: 'GARMENT_CONDITIONING_IP_ADAPTER' }), code: status.INVALID_ARGUMENT, says: ['garment_conditioning', 'IP-Adapter'] },
  { name: 'CatVTON try-on on a server without it', request: () => ({ ...base, mode: 'MODE_TRY_ON', person_image: photo, garment_image: photo, garment_conditioning: 'GARMENT_CONDITIONING_CATVTON' }), code: status.INVALID_ARGUMENT, says: ['CatVTON', 'TRYON_ALLOW_NONCOMMERCIAL_WEIGHTS', 'non-commercial'] },
  { name: 'refine strength over 1', request: () => ({ ...base, refine_strength: 1.5 }), code: status.INVALID_ARGUMENT, says: ['refine_strength', '1.5'] },
  { name: 'unknown quality', request: () => ({ ...base, quality: 7 as unknown as 'QUALITY_FAST' }), code: status.INVALID_ARGUMENT, says: ['quality'] },
];

describe('Generate input validation', () => {
  it.each(cases)('$name → $code', async ({ request, code, says }) => {
    const before = (await listJobs(client)).jobs.length;
    const { events, error } = await generate(client, request());
    expect(events).toEqual([]);
    expect(error?.code).toBe(code);
    for (const word of says) expect(error?.details).toContain(word);
    expect((await listJobs(client)).jobs.length).toBe(before);
  });
});

describe('QUALITY_FAST without an LCM-LoRA', () => {
  it('runs the standard preset and says so in the result', async () => {
    const denoising = (events: { progress?: { stage: string } | null }[]) => events.filter((e) => e.progress?.stage === 'denoising').length;
    const fast = await generate(client, { ...base, quality: 'QUALITY_FAST' });
    const standard = await generate(client, base);
    expect(fast.error).toBeUndefined();
    expect(fast.events.at(-1)?.result).toMatchObject({ preset: 'standard', decoder: 'vae', warnings: [expect.stringMatching(/fast preset unavailable: no LCM-LoRA/)] });
    expect(denoising(fast.events)).toBe(denoising(standard.events));
    expect(fast.events.at(-1)?.result?.images_png).toEqual(standard.events.at(-1)?.result?.images_png);
  });
});

describe('job and training request validation', () => {
  it('GetJob and CancelJob refuse a malformed id and report an unknown one as NOT_FOUND', async () => {
    await expect(getJob(client, '../x')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(cancelJob(client, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  const train: TrainRequest = { dataset_path: 'shop', mode: 'TRAIN_MODE_LORA', steps: 2, output_name: 'store-lora' };
  const trainCases: { name: string; request: TrainRequest; says: string[] }[] = [
    { name: 'dataset outside the datasets directory', request: { ...train, dataset_path: '../../etc' }, says: ['dataset_path', 'inside the datasets directory'] },
    { name: 'output name with a path', request: { ...train, dataset_path: '.', output_name: 'x/../../y' }, says: ['output_name', 'path separators'] },
    { name: 'no mode', request: { ...train, mode: 'TRAIN_MODE_UNSPECIFIED' }, says: ['mode'] },
    { name: 'zero steps', request: { ...train, steps: 0 }, says: ['steps'] },
    { name: 'resolution not a multiple of 8', request: { ...train, resolution: 100 }, says: ['resolution', '100'] },
  ];
  it.each(trainCases)('Train: $name → INVALID_ARGUMENT', async ({ request, says }) => {
    const { events, error } = await collect(client.Train(request));
    expect(events).toEqual([]);
    expect((error as ServiceError | undefined)?.code).toBe(status.INVALID_ARGUMENT);
    for (const word of says) expect(error?.details).toContain(word);
  });
});
