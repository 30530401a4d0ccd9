// Train jobs on the training engine: read the dataset, load a private copy of the base model (training changes
// weights, so never the shared one), run the Trainer, hand the GPU to shoppers between steps, and publish the
// result into the models directory (a LoRA file or a fine-tuned diffusers folder); the gRPC process then re-reads
// its catalog, so ListModels shows it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadBaseModel } from '../../training/base-model.js';
import { loadDataset } from '../../training/datasets/index.js';
import { findLatestCheckpoint } from '../../training/checkpoint.js';
import { parseTrainConfig } from '../../training/train-config.js';
import { Trainer, type TrainSummary } from '../../training/trainer.js';
import { FINE_TUNED_MARKER } from '../../model-store/scan.js';
import type { TrainOutput, TrainRunContext, TrainRunner, TrainSpec } from './types.js';

export interface TrainRunnerOptions {
  /** Checkpoints of each run live in `<workDir>/<output name>` (kept for resume). */
  readonly workDir: string;
  /** Keep the base UNet in host memory (TRYON_OFFLOAD_UNET): LoRA runs only, gradients checkpointed per layer. */
  readonly offloadUNetWeights?: boolean;
}

export class TrainingRunner implements TrainRunner {
  constructor(private readonly opts: TrainRunnerOptions) {}

  async run(spec: TrainSpec, ctx: TrainRunContext): Promise<TrainOutput> {
    const dataset = await loadDataset({ data: spec.datasetPath, captions: spec.captionsPath, keywords: spec.keywords });
    ctx.dataset({ ...dataset.report, unreadable: dataset.report.unreadable.length });
    const config = parseTrainConfig({
      mode: spec.mode,
      steps: spec.steps,
      batchSize: spec.batchSize,
      gradientAccumulation: spec.gradientAccumulation,
      lr: spec.learningRate,
      warmupSteps: spec.warmupSteps,
      seed: spec.seed,
      ...(spec.resolution > 0 ? { resolution: spec.resolution } : {}),
      crop: spec.randomCrop ? 'random' : 'center',
      flip: spec.horizontalFlip,
      loraRank: spec.rank,
      loraAlpha: spec.alpha,
      loraTextEncoder: spec.trainTextEncoder,
      checkpointEvery: spec.checkpointEvery,
      validationPrompts: [...spec.validationPrompts],
      validationEvery: spec.validationEvery,
    });
    const outDir = path.join(this.opts.workDir, spec.outputName);
    await fs.mkdir(outDir, { recursive: true });
    const resumeFrom = spec.resume ? await findLatestCheckpoint(outDir) : undefined;
    ctx.signal.throwIfAborted();

    // loadBaseModel also resolves the config folder of a single-file checkpoint, which exports need.
    const { model, files } = await loadBaseModel(spec.baseModel.path, { offloadUNetWeights: this.opts.offloadUNetWeights });
    const trainer = new Trainer({ model, base: files, examples: dataset.examples, config, outDir, resumeFrom });
    const onAbort = (): void => trainer.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let summary: TrainSummary;
    try {
      trainer.on('progress', (p) => {
        ctx.progress({ step: p.step, totalSteps: p.totalSteps, loss: p.loss, learningRate: p.lr, imagesPerSecond: p.imagesPerSecond, etaSeconds: p.etaSeconds });
        // The trainer checks its pause gate at the top of the next step; a checkpoint or validation due after
        // this step would still use the GPU, so the yield waits for a step with neither.
        const busyAfter = (every: number): boolean => every > 0 && p.step % every === 0;
        if (p.step >= p.totalSteps || busyAfter(config.checkpointEvery) || busyAfter(config.validationEvery)) return;
        trainer.pause();
        ctx.yieldToInteractive().then(
          () => trainer.resume(),
          () => trainer.cancel(),
        );
      });
      trainer.on('checkpoint', (c) => ctx.checkpoint({ name: path.basename(c.dir), step: c.step }));
      trainer.on('sample', (s) => ctx.sample({ prompt: s.prompt, step: s.step, image: s.image }));
      summary = await trainer.run();
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      trainer.dispose();
      model.dispose();
    }
    ctx.signal.throwIfAborted();
    if (summary.status !== 'completed' || !summary.output) throw new Error(`training ended as ${summary.status} without an output`);
    await this.publish(spec, summary);
    return { modelName: spec.outputName, steps: summary.startStep + summary.steps, finalLoss: summary.losses.at(-1) ?? Number.NaN };
  }

  /** Copies the final export into the models directory under the output name (staged, then renamed). */
  private async publish(spec: TrainSpec, summary: TrainSummary): Promise<void> {
    const output = summary.output as string;
    await fs.mkdir(spec.outputDir, { recursive: true });
    const isLora = spec.mode !== 'full';
    const target = path.join(spec.outputDir, isLora ? `${spec.outputName}.safetensors` : spec.outputName);
    const staging = `${target}.partial-${process.pid}`;
    await fs.rm(staging, { recursive: true, force: true });
    if (isLora) {
      await fs.copyFile(output, staging);
    } else {
      await fs.cp(output, staging, { recursive: true, filter: (src) => !/optimizer|ema\.safetensors|trainer_state/.test(path.basename(src)) });
      const marker = { base: spec.baseModel.name, mode: spec.mode, steps: summary.startStep + summary.steps, finalLoss: summary.losses.at(-1) ?? null };
      await fs.writeFile(path.join(staging, FINE_TUNED_MARKER), JSON.stringify(marker, null, 2));
    }
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(staging, target);
  }
}
