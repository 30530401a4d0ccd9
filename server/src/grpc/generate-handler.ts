// Generate: validate at the edge, queue one interactive job, stream Queued → Started → Progress… → Result.
// The client's cancel or deadline cancels the job; the engine stops at its next step and frees its tensors.
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GenerateEvent, GenerateRequest__Output } from '@fitting-room/proto';
import { Job } from '../queue/job.js';
import type { GenerateOutput, GenerateSpec } from '../worker/runners/types.js';
import { describeImages } from '../logger.js';
import { cancelJobWithCall, failJobStream, failStream, type ServiceDeps } from './call-context.js';
import { encodePng, encodePreviewJpeg } from './images.js';
import { StreamWriter } from './stream-writer.js';
import { validateGenerate } from './validate-generate.js';

type GenerateCall = ServerWritableStream<GenerateRequest__Output, GenerateEvent>;

const ms = (from: number, to = performance.now()): number => Math.max(0, Math.round(to - from));

export async function handleGenerate(deps: ServiceDeps, call: GenerateCall): Promise<void> {
  const accepted = performance.now();
  const req = call.request;
  let log = deps.logger.child({ method: 'Generate', mode: req.mode });
  let spec: GenerateSpec;
  try {
    spec = await validateGenerate(req, deps.catalog, {
      maxImagePixels: deps.config.maxImagePixels,
      offloadsUNet: deps.config.offloadUnet,
      taesdModel: deps.config.taesdModel,
      lcmLora: deps.config.lcmLora,
      ipAdapter: deps.config.ipAdapter,
    });
  } catch (error) {
    failStream(deps, 'Generate', call, error, log);
    return;
  }
  if (call.cancelled) return;
  try {
    deps.queue.assertAccepting();
  } catch (error) {
    failStream(deps, 'Generate', call, error, log);
    return;
  }

  const job = new Job('generate', { mode: req.mode, model: spec.model?.name ?? spec.engine ?? '' }, deps.callers.of(call).owner);
  deps.jobs.add(job);
  log = log.child({ job: job.id });
  log.info(
    { model: job.labels.model, steps: spec.steps, preset: spec.preset, size: `${spec.width}x${spec.height}`, ...describeImages({ person_image: req.person_image, garment_image: req.garment_image, init_image: req.init_image, mask_image: req.mask_image }) },
    'generate accepted',
  );
  if (spec.presetNote) log.warn({ note: spec.presetNote }, 'QUALITY_FAST asked for; the standard preset runs');
  const writer = new StreamWriter(call, log);
  const unsubscribe = cancelJobWithCall(call, job);
  let startedAt = 0;
  let outcome = 'succeeded';
  try {
    const output = await deps.queue.submit(
      job,
      async (ctx) => {
        startedAt = performance.now();
        deps.metrics.queueWait.observe({ kind: 'generate' }, (startedAt - accepted) / 1000);
        return deps.engine.generate(job.id, spec, {
          signal: ctx.signal,
          progress: (update) => {
            job.reportProgress(update.step, update.totalSteps);
            if (update.stage === 'denoising') deps.metrics.steps.inc({ kind: 'generate' });
            const preview = update.preview;
            writer.push(async () => ({
              progress: {
                step: update.step,
                total_steps: update.totalSteps,
                stage: update.stage,
                preview_jpeg: preview ? await encodePreviewJpeg(preview) : Buffer.alloc(0),
              },
            }));
          },
        });
      },
      {
        onQueued: (position) => writer.push(() => ({ queued: { position, job_id: job.id } })),
        onStarted: () => writer.push(() => ({ started: { job_id: job.id } })),
      },
    );
    const ranMs = ms(startedAt);
    const encodeStart = performance.now();
    const result = await buildResult(output, spec, job.id);
    const runSeconds = ranMs / 1000;
    if (spec.steps > 0 && runSeconds > 0) deps.metrics.stepsPerSecond.set({ kind: 'generate' }, spec.steps / runSeconds);
    result.timings = {
      queued_ms: ms(accepted, startedAt),
      load_ms: output.loadMs,
      run_ms: Math.max(0, ranMs - output.loadMs),
      encode_ms: ms(encodeStart),
      total_ms: ms(accepted),
    };
    job.finish('succeeded');
    writer.push(() => ({ result }));
    await writer.flush();
    log.info({ timings: result.timings, images: output.images.length, ...(output.warnings.length > 0 ? { warnings: output.warnings } : {}) }, 'generate done');
    if (!call.cancelled) call.end();
  } catch (error) {
    await failJobStream(deps, 'Generate', call, job, writer, error, log);
    outcome = job.state;
  } finally {
    unsubscribe();
    deps.metrics.jobDuration.observe({ kind: 'generate', mode: req.mode, outcome }, ms(accepted) / 1000);
  }
}

async function buildResult(output: GenerateOutput, spec: GenerateSpec, jobId: string): Promise<NonNullable<GenerateEvent['result']>> {
  const [images, mask] = await Promise.all([
    Promise.all(output.images.map(encodePng)),
    spec.maskOut && output.mask ? encodePng(output.mask) : Promise.resolve(Buffer.alloc(0)),
  ]);
  return {
    images_png: images,
    seeds: output.seeds.map(String),
    mask_png: mask,
    model: output.model,
    engine: output.engine,
    job_id: jobId,
    preset: output.preset,
    decoder: output.decoder,
    warnings: [...output.warnings],
  };
}
