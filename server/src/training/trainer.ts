// The training loop: micro-batches with gradient accumulation, global-norm clipping, AdamW with a learning-rate
// schedule, optional EMA, checkpoints and validation samples, progress events, and pause / resume / cancel
// between steps (the server pauses training to let shoppers' requests go first).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingSupport, loadSafetensors, disposeWeights, DDPMScheduler, type StableDiffusionModel } from '../engine/training.js';
import { BatchBuilder, disposeStepInputs, timestepBiasWeights } from './batch.js';
import {
  checkpointName,
  EMA_FILE,
  LORA_FILE,
  pruneCheckpoints,
  readOptimizerState,
  readTrainerState,
  writeCheckpoint,
  type TrainerState,
} from './checkpoint.js';
import type { TrainingExample } from './datasets/types.js';
import { lossAndGrads, type TrainingModels } from './diffusion-step.js';
import { ExponentialMovingAverage } from './ema.js';
import { writeDiffusersFolder, type BaseModelFiles } from './export-model.js';
import { LoraNetwork, type LoraModelTarget, TEXT_ENCODER_ATTENTION_TARGETS, UNET_ATTENTION_TARGETS } from './lora/lora-network.js';
import { AdamW } from './optim/adamw.js';
import { clipByGlobalNorm } from './optim/clip-grad-norm.js';
import { learningRateAt } from './optim/lr-schedule.js';
import { fromTorchLayout } from './torch-layout.js';
import type { TrainConfig } from './train-config.js';
import { TrainRandom } from './train-random.js';
import { fullUNetTrainable, loraTrainable, type Trainable } from './trainable.js';
import { generateSamples, type TrainSample } from './validation.js';

export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  /** Mean loss of the step's micro-batches. */
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly imagesPerSecond: number;
  readonly etaSeconds: number;
}

export interface TrainSummary {
  readonly status: 'completed' | 'cancelled';
  readonly startStep: number;
  readonly steps: number;
  readonly losses: readonly number[];
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** The final export: a kohya LoRA file or a diffusers folder (absent when cancelled). */
  readonly output?: string;
  readonly checkpoints: readonly string[];
}

export interface TrainerEvents {
  progress: [TrainProgress];
  checkpoint: [{ step: number; dir: string }];
  sample: [TrainSample];
  warning: [string];
}

export interface TrainerOptions {
  readonly model: StableDiffusionModel;
  readonly base: BaseModelFiles & { readonly source: string };
  readonly examples: readonly TrainingExample[];
  readonly config: TrainConfig;
  readonly outDir: string;
  /** A checkpoint folder to continue from (same mode and settings). */
  readonly resumeFrom?: string;
}

export class Trainer extends EventEmitter<TrainerEvents> {
  private readonly config: TrainConfig;
  private readonly trainable: Trainable;
  private readonly lora: LoraNetwork | undefined;
  private readonly optimizer: AdamW;
  private readonly ema: ExponentialMovingAverage | undefined;
  private readonly noiseScheduler: DDPMScheduler;
  private readonly inpaint: boolean;
  private pausedGate: { promise: Promise<void>; release: () => void } | undefined;
  private cancelled = false;
  private step = 0;

  constructor(private readonly opts: TrainerOptions) {
    super();
    const { model, config } = opts;
    this.config = config;
    const channels = model.unet.config.inChannels;
    this.inpaint = channels === 9;
    if (config.mode === 'inpaint-lora' && !this.inpaint) throw new Error(`mode inpaint-lora needs an inpainting UNet (9 input channels), this one has ${channels}`);
    if (config.mode === 'lora' && this.inpaint) throw new Error('this is an inpainting UNet (9 input channels): use mode inpaint-lora');
    if (config.mode === 'full') {
      this.trainable = fullUNetTrainable(model.unet.parameters);
    } else {
      const targets: (LoraModelTarget & { patterns: readonly RegExp[] })[] = [{ kind: 'unet', model: model.unet, patterns: UNET_ATTENTION_TARGETS }];
      if (config.loraTextEncoder) {
        const te = model.textEncoder;
        targets.push({ kind: 'text_encoder', model: te, patterns: TEXT_ENCODER_ATTENTION_TARGETS });
      }
      this.lora = new LoraNetwork(targets, { rank: config.loraRank, alpha: config.loraAlpha, seed: config.seed });
      this.trainable = loraTrainable(this.lora, config.loraTextEncoder);
    }
    this.optimizer = new AdamW(this.trainable.variables, {
      beta1: config.beta1,
      beta2: config.beta2,
      eps: config.adamEps,
      weightDecay: config.weightDecay,
    });
    this.ema = config.emaDecay === undefined ? undefined : new ExponentialMovingAverage(this.trainable.variables, config.emaDecay);
    this.noiseScheduler = new DDPMScheduler(model.schedulerConfig);
  }

  get paused(): boolean {
    return this.pausedGate !== undefined;
  }

  /** Stops before the next step until resume(). */
  pause(): void {
    if (this.pausedGate) return;
    let release = () => {};
    const promise = new Promise<void>((r) => (release = r));
    this.pausedGate = { promise, release };
  }

  resume(): void {
    const gate = this.pausedGate;
    this.pausedGate = undefined;
    gate?.release();
  }

  /** Ends the run before the next step; run() resolves with status "cancelled". */
  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }

  async run(): Promise<TrainSummary> {
    await registerTrainingSupport();
    const { config, model, outDir } = { ...this.opts, config: this.config };
    if (config.mixedPrecision === 'fp16') this.warn(`mixed precision fp16 is not supported on backend ${tf.getBackend()}; training in fp32`);
    if (this.opts.resumeFrom) await this.restore(this.opts.resumeFrom);
    const startStep = this.step;
    const random = new TrainRandom(config.seed);
    const builder = new BatchBuilder(
      this.opts.examples,
      model.tokenizer,
      random,
      {
        batchSize: config.batchSize,
        augment: { resolution: config.resolution, crop: config.crop, flip: config.flip },
        latentChannels: model.vae.config.latentChannels,
        downscale: model.vae.downscaleFactor,
        numTrainTimesteps: this.noiseScheduler.config.numTrainTimesteps,
        alphasCumprod: this.noiseScheduler.alphasCumprod,
        noiseOffset: config.noiseOffset,
        captionDropout: config.captionDropout,
        timestepWeights: timestepBiasWeights(
          this.noiseScheduler.config.numTrainTimesteps,
          config.timestepBias,
          config.timestepBiasMultiplier,
          config.timestepBiasPortion,
        ),
        minSnrGamma: config.minSnrGamma,
        debiasedEstimation: config.debiasedEstimation,
        inpaint: this.inpaint,
      },
      (m) => this.warn(m),
    );
    const models: TrainingModels = { unet: model.unet, vae: model.vae, textEncoder: model.textEncoder, noiseScheduler: this.noiseScheduler };
    const losses: number[] = [];
    const checkpoints: string[] = [];
    const imagesPerStep = config.batchSize * config.gradientAccumulation;
    const started = performance.now();
    let trainSeconds = 0;
    while (this.step < config.steps) {
      if (this.pausedGate) await this.pausedGate.promise;
      if (this.cancelled) break;
      const t0 = performance.now();
      const { loss, gradNorm, lr } = await this.trainStep(builder, models);
      this.step += 1;
      losses.push(loss);
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      const done = this.step - startStep;
      const perStep = trainSeconds / done;
      this.emit('progress', {
        step: this.step,
        totalSteps: config.steps,
        loss,
        lr,
        gradNorm,
        imagesPerSecond: imagesPerStep / perStep,
        etaSeconds: perStep * (config.steps - this.step),
      });
      if (config.checkpointEvery > 0 && this.step % config.checkpointEvery === 0 && this.step < config.steps) {
        checkpoints.push(await this.checkpoint(checkpointName(this.step), false));
        await pruneCheckpoints(outDir, config.keepCheckpoints);
      }
      if (config.validationEvery > 0 && this.step % config.validationEvery === 0) await this.validate();
    }
    let output: string | undefined;
    if (!this.cancelled) {
      const dir = await this.checkpoint('final', true);
      checkpoints.push(dir);
      output = this.lora ? path.join(dir, LORA_FILE) : dir;
    }
    const done = this.step - startStep;
    return {
      status: this.cancelled ? 'cancelled' : 'completed',
      startStep,
      steps: done,
      losses,
      seconds: (performance.now() - started) / 1000,
      imagesPerSecond: done > 0 ? (done * imagesPerStep) / trainSeconds : 0,
      output,
      checkpoints,
    };
  }

  private async trainStep(builder: BatchBuilder, models: TrainingModels): Promise<{ loss: number; gradNorm: number; lr: number }> {
    const { config } = this;
    const accumulation = config.gradientAccumulation;
    let summed: Map<string, tf.Tensor> | undefined;
    let lossSum = 0;
    for (let i = 0; i < accumulation; i++) {
      const inputs = await builder.build(this.step * accumulation + i);
      try {
        const { loss, grads } = await lossAndGrads(models, this.trainable, inputs);
        lossSum += loss;
        if (summed === undefined) {
          summed = grads;
        } else {
          for (const [name, g] of grads) {
            const prev = summed.get(name) as tf.Tensor;
            summed.set(name, tf.add(prev, g));
            tf.dispose([prev, g]);
          }
        }
      } finally {
        disposeStepInputs(inputs);
      }
    }
    const grads = summed as Map<string, tf.Tensor>;
    if (accumulation > 1) {
      for (const [name, g] of grads) {
        grads.set(name, tf.div(g, accumulation));
        g.dispose();
      }
    }
    const { norm, clipped } = await clipByGlobalNorm(grads, config.maxGradNorm);
    const lr = learningRateAt({ name: config.lrSchedule, baseLr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.steps }, this.step);
    this.optimizer.apply(clipped, lr);
    this.ema?.update();
    tf.dispose([...grads.values(), ...clipped.values()]);
    return { loss: lossSum / accumulation, gradNorm: norm, lr };
  }

  private state(): TrainerState {
    return {
      version: 1,
      step: this.step,
      emaUpdates: this.ema?.step,
      mode: this.config.mode,
      base: this.opts.base.source,
      config: { ...this.config },
    };
  }

  /** `useEma`: export the averaged weights as the model (the final export); checkpoints keep the live ones. */
  private async checkpoint(name: string, useEma: boolean): Promise<string> {
    const { model, base, outDir } = this.opts;
    const exported = useEma && this.ema ? this.ema.weights : undefined;
    const dir = await writeCheckpoint(outDir, name, {
      state: this.state(),
      optimizer: this.optimizer.state(),
      ema: this.ema?.weights,
      writeModel: async (tempDir) => {
        if (this.lora) await this.lora.save(path.join(tempDir, LORA_FILE), { ss_steps: String(this.step) }, exported);
        else await writeDiffusersFolder(tempDir, model, base, exported);
      },
    });
    this.emit('checkpoint', { step: this.step, dir });
    return dir;
  }

  private async restore(dir: string): Promise<void> {
    const state = await readTrainerState(dir);
    if (state.mode !== this.config.mode) throw new Error(`checkpoint ${dir} was trained in mode ${state.mode}, this run is ${this.config.mode}`);
    if (this.lora) {
      const tensors = await loadSafetensors(path.join(dir, LORA_FILE));
      try {
        this.lora.loadKohyaTensors(tensors);
      } finally {
        disposeWeights(tensors);
      }
    } else {
      const tensors = await loadSafetensors(path.join(dir, 'unet', 'diffusion_pytorch_model.safetensors'));
      try {
        for (const [name, spec] of this.opts.model.unet.parameterSpecs) {
          const t = tensors.get(name);
          if (t === undefined) throw new Error(`checkpoint ${dir} has no UNet parameter ${name}`);
          const compute = fromTorchLayout(t, spec);
          (this.opts.model.unet.parameters.get(name) as tf.Variable).assign(compute);
          compute.dispose();
        }
      } finally {
        disposeWeights(tensors);
      }
    }
    const optimizerState = await readOptimizerState(dir, state.step);
    try {
      this.optimizer.loadState(optimizerState);
    } finally {
      disposeWeights(optimizerState.tensors);
    }
    if (this.ema) {
      const ema = await loadSafetensors(path.join(dir, EMA_FILE));
      try {
        this.ema.loadState(ema, state.emaUpdates ?? state.step);
      } finally {
        disposeWeights(ema);
      }
    }
    this.step = state.step;
  }

  private async validate(): Promise<void> {
    const { config } = this;
    if (config.validationPrompts.length === 0) return;
    const samples = await this.trainable.withInferenceWeights(() =>
      generateSamples(
        this.opts.model,
        {
          prompts: config.validationPrompts,
          steps: config.validationSteps,
          guidance: config.validationGuidance,
          resolution: config.resolution,
          seed: config.seed,
          inpaintImage: this.inpaint ? this.opts.examples[0]?.image : undefined,
        },
        this.step,
        this.opts.outDir,
      ),
    );
    for (const s of samples) this.emit('sample', s);
  }

  /** Frees the optimizer, EMA and LoRA variables (the model belongs to the caller). */
  dispose(): void {
    this.optimizer.dispose();
    this.ema?.dispose();
    this.lora?.dispose();
    if (this.config.mode === 'full') for (const v of this.opts.model.unet.parameters.values()) v.trainable = false;
  }
}
