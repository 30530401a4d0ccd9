// Train: a training-priority job that yields the GPU to shoppers between steps; streams progress,
// checkpoints, validation samples, pauses and resumes, then Done.
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { TrainEvent, TrainRequest__Output } from '@fitting-room/proto';
import { Job } from '../queue/job.js';
import type { TrainSpec } from '../worker/runners/types.js';
import { cancelJobWithCall, failJobStream, failStream, type ServiceDeps } from './call-context.js';
import { encodePng } from './images.js';
import { StreamWriter } from './stream-writer.js';
import { validateTrain } from './validate-train.js';

type TrainCall = ServerWritableStream<TrainRequest__Output, TrainEvent>;

export async function handleTrain(deps: ServiceDeps, call: TrainCall): Promise<void> {
  const accepted = performance.now();
  let log = deps.logger.child({ method: 'Train' });
  let spec: TrainSpec;
  try {
    spec = validateTrain(call.request, deps.catalog, { datasetsDir: deps.datasetsDir, outputDir: deps.trainingOutputDir, offloadsUNet: deps.config.offloadUnet });
  } catch (error) {
    failStream(deps, 'Train', call, error, log);
    return;
  }
  if (call.cancelled) return;
  try {
    deps.queue.assertAccepting();
  } catch (error) {
    failStream(deps, 'Train', call, error, log);
    return;
  }

  const job = new Job('train', { mode: '', model: spec.baseModel.name }, deps.callers.of(call).owner);
  deps.jobs.add(job);
  log = log.child({ job: job.id });
  log.info({ base: spec.baseModel.name, mode: spec.mode, steps: spec.steps, output: spec.outputName }, 'train accepted');
  const writer = new StreamWriter(call, log);
  const unsubscribe = cancelJobWithCall(call, job);
  let outcome = 'succeeded';
  try {
    const output = await deps.queue.submit(
      job,
      (ctx) => {
        deps.metrics.queueWait.observe({ kind: 'train' }, (performance.now() - accepted) / 1000);
        return deps.engine.train(job.id, spec, {
          signal: ctx.signal,
          yieldToInteractive: () => ctx.yieldToInteractive(),
          dataset: (d) => {
            log.info({ format: d.format, total: d.total, kept: d.kept, dropped: d.dropped, unreadable: d.unreadable }, 'dataset read');
            writer.push(() => ({ dataset: { ...d, warnings: [...d.warnings] } }));
          },
          progress: (p) => {
            job.reportProgress(p.step, p.totalSteps);
            deps.metrics.steps.inc({ kind: 'train' });
            if (p.imagesPerSecond > 0) deps.metrics.stepsPerSecond.set({ kind: 'train' }, p.imagesPerSecond / spec.batchSize);
            writer.push(() => ({
              progress: {
                step: p.step,
                total_steps: p.totalSteps,
                loss: p.loss,
                learning_rate: p.learningRate,
                images_per_second: p.imagesPerSecond,
                eta_seconds: p.etaSeconds,
              },
            }));
          },
          checkpoint: (c) => writer.push(() => ({ checkpoint: { name: c.name, step: c.step } })),
          sample: (s) => writer.push(async () => ({ sample: { prompt: s.prompt, step: s.step, image_png: await encodePng(s.image) } })),
        });
      },
      {
        onQueued: (position) => writer.push(() => ({ queued: { position, job_id: job.id } })),
        onStarted: () => writer.push(() => ({ started: { job_id: job.id } })),
        onPaused: (waiting) => {
          log.info({ step: job.step, waiting }, 'training paused for interactive jobs');
          writer.push(() => ({ paused: { step: job.step, waiting_jobs: waiting } }));
        },
      },
    );
    // The worker published the model into the models directory; ListModels shows it from now on.
    await deps.refreshModels();
    job.finish('succeeded');
    writer.push(() => ({ done: { model_name: output.modelName, steps: output.steps, final_loss: output.finalLoss } }));
    await writer.flush();
    log.info({ model: output.modelName, steps: output.steps, loss: output.finalLoss }, 'train done');
    if (!call.cancelled) call.end();
  } catch (error) {
    await failJobStream(deps, 'Train', call, job, writer, error, log);
    outcome = job.state;
  } finally {
    unsubscribe();
    deps.metrics.jobDuration.observe({ kind: 'train', mode: spec.mode, outcome }, (performance.now() - accepted) / 1000);
  }
}
