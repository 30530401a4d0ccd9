// Generate on a real server with the tiny fixture models, over a real grpc-js client on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import sharp from 'sharp';
import type { RunningServer, TryOnClient } from '../../src/index.js';
import type { GenerateEvent__Output } from '@fitting-room/proto';
import { cancelJob, connect, eventNames, generate, halfMask, listJobs, listModels, solidImage, startTestServer, waitFor, waitForJobState } from './helpers.js';

let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  server = await startTestServer({ maxQueue: 2 });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

const txt2img = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a red dress on a mannequin', steps: 3, width: 32, height: 24, seed: 7 } as const;
/** Long enough to act on mid-run (the tiny model takes a few ms per step). */
const longRun = { ...txt2img, steps: 150, width: 64, height: 64 } as const;

function result(events: GenerateEvent__Output[]): NonNullable<GenerateEvent__Output['result']> {
  const last = events.at(-1);
  expect(last?.event).toBe('result');
  return last!.result!;
}

describe('Generate', () => {
  it('streams Queued, Started, Progress… then one Result whose PNGs have the asked size', async () => {
    const { events, error } = await generate(client, { ...txt2img, num_images: 2, preview_every: 1 });
    expect(error).toBeUndefined();
    const names = eventNames(events);
    expect(names[0]).toBe('queued');
    expect(names[1]).toBe('started');
    expect(names.slice(2, -1).every((n) => n === 'progress')).toBe(true);
    expect(names.filter((n) => n === 'result')).toHaveLength(1);
    const steps = events.filter((e) => e.progress?.stage === 'denoising').map((e) => e.progress!.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const event of events.filter((e) => e.progress?.stage === 'denoising')) {
      expect((await sharp(event.progress!.preview_jpeg).metadata()).format).toBe('jpeg');
    }
    const res = result(events);
    expect(res.images_png).toHaveLength(2);
    expect(res.seeds).toEqual(['7', '8']);
    for (const png of res.images_png) {
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 32, 24]);
    }
    expect(res.model).toBe('sd-tiny');
    expect(res.job_id).toBe(events[0].queued!.job_id);
    expect(res.timings!.total_ms).toBeGreaterThanOrEqual(res.timings!.run_ms);
  });

  it('sends previews only every preview_every steps, and none when it is 0', async () => {
    const every2 = await generate(client, { ...txt2img, steps: 4, preview_every: 2 });
    const withPreview = every2.events.filter((e) => (e.progress?.preview_jpeg.length ?? 0) > 0).map((e) => e.progress!.step);
    expect(withPreview.length).toBeGreaterThan(0);
    expect(withPreview.every((s) => s % 2 === 0)).toBe(true);
    const none = await generate(client, { ...txt2img, preview_every: 0 });
    expect(none.events.some((e) => (e.progress?.preview_jpeg.length ?? 0) > 0)).toBe(false);
  });

  it('runs image-to-image and inpaint, returning the mask when asked', async () => {
    const init = await solidImage(40, 48, 'jpeg');
    const img2img = await generate(client, { ...txt2img, mode: 'MODE_IMAGE_TO_IMAGE', init_image: init, strength: 0.6, width: 0, height: 0 });
    expect(img2img.error).toBeUndefined();
    const out = await sharp(result(img2img.events).images_png[0]).metadata();
    expect([out.width, out.height]).toEqual([40, 48]);

    const inpaint = await generate(client, {
      ...txt2img,
      mode: 'MODE_INPAINT',
      init_image: await solidImage(32, 32, 'webp'),
      mask_image: await halfMask(16, 16),
      width: 0,
      height: 0,
      mask_out: true,
    });
    expect(inpaint.error).toBeUndefined();
    const res = result(inpaint.events);
    expect(res.model).toBe('sd-tiny-inpaint');
    const mask = await sharp(res.mask_png).raw().toBuffer({ resolveWithObject: true });
    expect([mask.info.width, mask.info.height]).toEqual([32, 32]);
    expect(mask.data[0]).toBe(255);
    expect(mask.data[mask.info.width * mask.info.channels - 1]).toBe(0);
  });

  it('gives the same images for the same seed, with or without a LoRA removed in between', async () => {
    const first = result((await generate(client, txt2img)).events).images_png[0];
    const withLora = result((await generate(client, { ...txt2img, loras: [{ name: 'sd-tiny-kohya', scale: 1 }] })).events).images_png[0];
    const again = result((await generate(client, txt2img)).events).images_png[0];
    expect(again.equals(first)).toBe(true);
    expect(withLora.equals(first)).toBe(false);
  });

  it('serves two concurrent clients, each its own result, as if each ran alone', async () => {
    const other = connect(server);
    try {
      const solo = result((await generate(client, { ...txt2img, seed: 101 })).events).images_png[0];
      const [a, b] = await Promise.all([generate(client, { ...txt2img, seed: 101 }), generate(other, { ...txt2img, seed: 202, prompt: 'a blue coat' })]);
      expect(a.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      expect(result(a.events).images_png[0].equals(solo)).toBe(true);
      expect(result(b.events).seeds).toEqual(['202']);
      expect(result(b.events).images_png[0].equals(solo)).toBe(false);
    } finally {
      other.close();
    }
  });

  it('a client that cancels stops its job within a step; the GPU goes to the next job', async () => {
    let jobId = '';
    let stepAtCancel = 0;
    const cancelled = generate(client, longRun, {
      onEvent: (event, call) => {
        if (event.queued) jobId = event.queued.job_id;
        if (event.progress?.stage === 'denoising' && event.progress.step >= 2 && stepAtCancel === 0) {
          stepAtCancel = event.progress.step;
          call.cancel();
        }
      },
    });
    const { error } = await cancelled;
    expect(error?.code).toBe(status.CANCELLED);
    const job = await waitForJobState(client, jobId, 'JOB_STATE_CANCELLED');
    expect(job.step).toBeLessThanOrEqual(stepAtCancel + 2);
    expect(job.step).toBeLessThan(job.total_steps);
    const next = await generate(client, txt2img);
    expect(next.error).toBeUndefined();
  });

  it('a deadline that passes mid-run ends the call with DEADLINE_EXCEEDED and cancels the job', async () => {
    let jobId = '';
    const { error } = await generate(client, longRun, { deadlineMs: 1_500, onEvent: (e) => (jobId ||= e.queued?.job_id ?? '') });
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    const job = await waitForJobState(client, jobId, 'JOB_STATE_CANCELLED');
    expect(job.error).toContain('deadline');
    expect(job.step).toBeLessThan(job.total_steps);
  });

  it('refuses a job beyond the queue bound with RESOURCE_EXHAUSTED, and CancelJob ends queued and running jobs', async () => {
    const ids: string[] = [];
    const started = new Set<string>();
    const runs = [0, 1, 2].map(() =>
      generate(client, longRun, {
        onEvent: (e) => {
          if (e.queued && !ids.includes(e.queued.job_id)) ids.push(e.queued.job_id);
          if (e.started) started.add(e.started.job_id);
        },
      }),
    );
    await waitFor(() => ids.length === 3 && started.size === 1, 30_000, 'three jobs accepted');
    const overflow = await generate(client, txt2img);
    expect(overflow.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(overflow.error?.metadata.get('error-reason')).toEqual(['QUEUE_FULL']);
    expect(overflow.events).toHaveLength(0);

    const queued = (await listJobs(client, { state: 'JOB_STATE_QUEUED' })).jobs.map((j) => j.id);
    expect(queued.sort()).toEqual(ids.filter((id) => !started.has(id)).sort());
    for (const id of [...ids].reverse()) expect((await cancelJob(client, id)).state).toBe('JOB_STATE_CANCELLED');
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => o.error?.code)).toEqual([status.CANCELLED, status.CANCELLED, status.CANCELLED]);
  });

  it('leaves no tensors behind: finished, failed and cancelled jobs of every mode free what they made', async () => {
    // Warm: both models loaded, LoRA path exercised once (their weights are resident by design).
    await generate(client, { ...txt2img, mode: 'MODE_INPAINT', init_image: await solidImage(16, 16), mask_image: await halfMask(16, 16), width: 0, height: 0 });
    // The tensors live in the engine worker process: count them there.
    const workerTensors = async (): Promise<number> => (await server.engine.stats(10_000))!.tensors;
    const before = await workerTensors();
    expect(before).toBeGreaterThan(0);
    await generate(client, { ...txt2img, num_images: 2, preview_every: 1, loras: [{ name: 'sd-tiny-kohya', scale: 0.7 }] });
    await generate(client, { ...txt2img, mode: 'MODE_IMAGE_TO_IMAGE', init_image: await solidImage(24, 24), width: 0, height: 0 });
    await generate(client, { ...txt2img, mode: 'MODE_INPAINT', init_image: await solidImage(16, 16), mask_image: await halfMask(16, 16), width: 0, height: 0 });
    await generate(client, longRun, { deadlineMs: 800 });
    let jobId = '';
    await generate(client, longRun, { onEvent: (e, call) => (e.queued ? (jobId = e.queued.job_id) : e.progress?.step === 3 && call.cancel()) });
    await waitForJobState(client, jobId, 'JOB_STATE_CANCELLED');
    expect(await workerTensors()).toBe(before);
  });

  it('reports warnings in the result: a prompt longer than the text encoder takes', async () => {
    const long = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const { events, error } = await generate(client, { ...txt2img, prompt: long });
    expect(error).toBeUndefined();
    expect(events.at(-1)?.result?.warnings).toEqual([expect.stringMatching(/prompt 0 is longer than 77 tokens .*cut off/)]);
    const short = await generate(client, txt2img);
    expect(short.events.at(-1)?.result?.warnings).toEqual([]);
  });

  it('lists the fixture models with their kinds and which are loaded', async () => {
    const { models, default_model } = await listModels(client);
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    expect(default_model).toBe('sd-tiny');
    expect(byName['sd-tiny']).toMatchObject({ kind: 'MODEL_KIND_BASE', loaded: true, format: 'diffusers', is_default: true });
    expect(byName['sd-tiny-inpaint']).toMatchObject({ kind: 'MODEL_KIND_INPAINT', loaded: true });
    expect((await listModels(client, { kind: 'MODEL_KIND_INPAINT' })).models.map((m) => m.name)).toEqual(['sd-tiny-inpaint']);
  });

  it('says which backend runs the models, and what was passed by on the way', async () => {
    const { backend } = await listModels(client);
    expect(backend).toMatchObject({ name: 'wasm', adapter_vendor: '', software_adapter: false, max_tensor_bytes: '0' });
  });
});
