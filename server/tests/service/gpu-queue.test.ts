// The GPU queue on its own: order, priorities, bound, cancellation, training yielding to shoppers.
import { describe, expect, it } from 'vitest';
import { GpuQueue, type JobContext } from '../../src/queue/gpu-queue.js';
import { Job } from '../../src/queue/job.js';
import { QueueClosedError, QueueFullError } from '../../src/queue/errors.js';
import { CancelledError } from '../../src/cancellation.js';
import { JobRegistry } from '../../src/queue/job-registry.js';

/** A job body that runs until `release()` is called (or the job is cancelled). */
function gate(): { run: (ctx: JobContext) => Promise<string>; release: () => void; started: Promise<void> } {
  let release!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const released = new Promise<void>((r) => (release = r));
  return {
    started,
    release,
    run: async (ctx) => {
      markStarted();
      await Promise.race([released, new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))]);
      return 'done';
    },
  };
}

const generateJob = (): Job => new Job('generate', { mode: 'MODE_TEXT_TO_IMAGE', model: 'm' }, 'test');
const trainJob = (): Job => new Job('train', { mode: '', model: 'm' }, 'test');

describe('GpuQueue', () => {
  it('runs one job at a time and reports positions', async () => {
    const queue = new GpuQueue(8);
    const order: string[] = [];
    const positions: Record<string, number[]> = { a: [], b: [], c: [] };
    const a = gate();
    const pa = queue.submit(generateJob(), async (ctx) => (order.push('a'), a.run(ctx)), { onQueued: (p) => positions.a.push(p) });
    const pb = queue.submit(generateJob(), async () => (order.push('b'), 'b'), { onQueued: (p) => positions.b.push(p) });
    const pc = queue.submit(generateJob(), async () => (order.push('c'), 'c'), { onQueued: (p) => positions.c.push(p) });
    await a.started;
    expect(order).toEqual(['a']);
    expect(queue.depth()).toEqual({ interactive: 2, training: 0, running: 1 });
    a.release();
    expect(await Promise.all([pa, pb, pc])).toEqual(['done', 'b', 'c']);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(positions).toEqual({ a: [0], b: [0], c: [1, 0] });
  });

  it('runs waiting interactive jobs before waiting training jobs', async () => {
    const queue = new GpuQueue(8);
    const order: string[] = [];
    const first = gate();
    const running = queue.submit(generateJob(), first.run);
    await first.started;
    const train = queue.submit(trainJob(), async () => void order.push('train'));
    const shop = queue.submit(generateJob(), async () => void order.push('shopper'));
    first.release();
    await Promise.all([running, train, shop]);
    expect(order).toEqual(['shopper', 'train']);
  });

  it('refuses jobs beyond the bound at once, and all jobs once closed', async () => {
    const queue = new GpuQueue(1);
    const first = gate();
    const running = queue.submit(generateJob(), first.run);
    await first.started;
    const waiting = queue.submit(generateJob(), async () => 'second');
    await expect(queue.submit(generateJob(), async () => 'third')).rejects.toBeInstanceOf(QueueFullError);
    queue.close();
    await expect(queue.submit(generateJob(), async () => 'fourth')).rejects.toBeInstanceOf(QueueClosedError);
    first.release();
    expect(await Promise.all([running, waiting])).toEqual(['done', 'second']);
  });

  it('removes a cancelled waiting job without running it and moves the others up', async () => {
    const queue = new GpuQueue(8);
    const first = gate();
    const running = queue.submit(generateJob(), first.run);
    await first.started;
    const doomed = generateJob();
    let ran = false;
    const cancelled = queue.submit(doomed, async () => void (ran = true));
    const positions: number[] = [];
    const last = queue.submit(generateJob(), async () => 'last', { onQueued: (p) => positions.push(p) });
    doomed.cancel('cancel-requested');
    await expect(cancelled).rejects.toMatchObject({ reason: 'cancel-requested' });
    expect(positions).toEqual([1, 0]);
    first.release();
    expect(await last).toBe('last');
    await running;
    expect(ran).toBe(false);
  });

  it('a running job sees its cancellation through the signal and frees the GPU', async () => {
    const queue = new GpuQueue(8);
    const job = generateJob();
    const body = gate();
    const running = queue.submit(job, body.run);
    await body.started;
    const next = queue.submit(generateJob(), async () => 'next');
    job.cancel('client-cancelled');
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(await next).toBe('next');
    await queue.idle();
  });

  it('a training job pauses between steps for a waiting shopper, then resumes before other training', async () => {
    const queue = new GpuQueue(8);
    const timeline: string[] = [];
    let step = 0;
    let shopperQueued!: () => void;
    const shopperArrived = new Promise<void>((r) => (shopperQueued = r));
    const training = queue.submit(
      trainJob(),
      async (ctx) => {
        for (step = 1; step <= 4; step++) {
          timeline.push(`train ${step}`);
          if (step === 2) await shopperArrived;
          await ctx.yieldToInteractive();
        }
        return 'trained';
      },
      { onPaused: (waiting) => timeline.push(`paused for ${waiting}`), onStarted: (resumed) => timeline.push(resumed ? 'resumed' : 'started') },
    );
    const otherTraining = queue.submit(trainJob(), async () => void timeline.push('other training'));
    await new Promise((r) => setTimeout(r, 5));
    const shopper = queue.submit(generateJob(), async () => void timeline.push('shopper'));
    shopperQueued();
    await Promise.all([training, otherTraining, shopper]);
    expect(timeline).toEqual(['started', 'train 1', 'train 2', 'paused for 1', 'shopper', 'resumed', 'train 3', 'train 4', 'other training']);
  });

  it('a paused training job can be cancelled while it waits', async () => {
    const queue = new GpuQueue(8);
    const job = trainJob();
    const shopperBody = gate();
    let paused!: () => void;
    const isPaused = new Promise<void>((r) => (paused = r));
    const training = queue.submit(
      job,
      async (ctx) => {
        await new Promise((r) => setTimeout(r, 5));
        await ctx.yieldToInteractive();
        return 'not reached';
      },
      { onPaused: () => paused() },
    );
    const shopper = queue.submit(generateJob(), shopperBody.run);
    await isPaused;
    expect(job.state).toBe('paused');
    job.cancel('cancel-requested');
    await expect(training).rejects.toBeInstanceOf(CancelledError);
    shopperBody.release();
    expect(await shopper).toBe('done');
  });
});

describe('JobRegistry', () => {
  it('lists most recent first with filters, and keeps only the newest finished jobs', () => {
    const registry = new JobRegistry(2);
    const jobs = [generateJob(), trainJob(), generateJob(), generateJob()];
    jobs.forEach((job) => registry.add(job));
    expect(registry.list().map((j) => j.id)).toEqual(jobs.map((j) => j.id).reverse());
    expect(registry.list({ kind: 'train' }).map((j) => j.id)).toEqual([jobs[1].id]);
    jobs.forEach((job) => job.finish('succeeded'));
    registry.prune();
    expect(registry.list().map((j) => j.id)).toEqual([jobs[3].id, jobs[2].id]);
    expect(registry.get(jobs[0].id)).toBeUndefined();
  });
});
