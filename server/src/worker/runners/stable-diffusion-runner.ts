// Text-to-image, image-to-image and inpaint jobs on the Stable Diffusion engine: lease the model, apply the
// request's LoRAs, run the pipeline with a per-step callback (progress, previews, cancellation), remove them.
import * as tf from '@tensorflow/tfjs-core';
import type { AppliedLora, StableDiffusionModel, PipelineResult, LatentDecoder, AttachedIPAdapter, ImagePromptTokens } from '../../engine/index.js';
import { latentPreview } from './latent-preview.js';
import { JobLeases, taesdInUse, type WorkerModels } from './worker-models.js';
import type { GenerateMode, GenerateOutput, GenerateRunContext, GenerateRunner, GenerateSpec, RawImage } from './types.js';

/** diffusers' default when the UNet config has no sample_size: SD 1.x's 64-cell latents. */
const DEFAULT_SAMPLE_SIZE = 64;

/** RGB or grey bytes → NHWC float32 in [0, 1]. */
export function rawToTensor(image: RawImage): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.tensor4d(image.data, [1, image.height, image.width, image.channels], 'int32'), 255) as tf.Tensor4D);
}


/** The model's native size (UNet sample_size × the VAE's 8× upscale). */
function defaultSide(model: StableDiffusionModel): number {
  const size = model.unet.config.sampleSize;
  const cells = typeof size === 'number' ? size : Array.isArray(size) ? size[0] : DEFAULT_SAMPLE_SIZE;
  return cells * 8;
}

export class StableDiffusionRunner implements GenerateRunner {
  constructor(
    private readonly models: WorkerModels,
    private readonly mode: Exclude<GenerateMode, 'try-on'>,
  ) {}

  async run(spec: GenerateSpec, ctx: GenerateRunContext): Promise<GenerateOutput> {
    if (!spec.model) throw new Error('a Stable Diffusion job needs a model (validation resolves one)');
    if (!this.models.stableDiffusion.isLoaded(spec.model)) ctx.progress({ step: 0, totalSteps: 0, stage: 'loading-model' });
    const leases = new JobLeases();
    const applied: AppliedLora[] = [];
    const owned: tf.Tensor[] = [];
    let imagePrompt: { tokens: ImagePromptTokens; scale: number } | undefined;
    let adapter: AttachedIPAdapter | undefined;
    try {
      // The pipeline first: the small models loaded after it may evict idle ones, never the model in use.
      const lease = await leases.hold(this.models.stableDiffusion.acquire(spec.model));
      for (const lora of spec.loras) applied.push(await lease.value.applyLora(lora.entry.path, lora.scale));
      if (spec.imagePrompt && spec.ipAdapter) {
        const models = (await leases.hold(this.models.imagePrompts.acquire(spec.ipAdapter))).value;
        imagePrompt = { tokens: await models.tokens(spec.imagePrompt.file), scale: spec.imagePrompt.scale };
        adapter = models.adapter.attach(lease.value.unet);
      }
      ctx.signal.throwIfAborted();
      const taesdEntry = taesdInUse(spec);
      const taesd = taesdEntry ? (await leases.hold(this.models.taesd.acquire(taesdEntry))).value : undefined;
      const result = await this.runPipeline(lease.value, spec, ctx, owned, taesd, imagePrompt);
      return {
        images: result.images,
        seeds: result.seeds,
        ...(spec.maskOut && spec.maskImage ? { mask: spec.maskImage } : {}),
        model: spec.model.name,
        engine: 'stable-diffusion',
        loadMs: lease.loadMs,
        preset: spec.preset,
        decoder: spec.decoder,
        warnings: [...(spec.presetNote ? [spec.presetNote] : []), ...result.warnings],
      };
    } finally {
      adapter?.detach();
      if (imagePrompt) tf.dispose(imagePrompt.tokens);
      owned.forEach((t) => t.dispose());
      for (const lora of applied.reverse()) lora.remove();
      leases.releaseAll();
    }
  }

  private runPipeline(
    model: StableDiffusionModel,
    spec: GenerateSpec,
    ctx: GenerateRunContext,
    owned: tf.Tensor[],
    taesd: LatentDecoder | undefined,
    imagePrompt: { tokens: ImagePromptTokens; scale: number } | undefined,
  ): Promise<PipelineResult> {
    const common = {
      prompt: spec.prompt,
      negativePrompt: spec.negativePrompt,
      numInferenceSteps: spec.steps,
      guidanceScale: spec.guidanceScale,
      numImagesPerPrompt: spec.numImages,
      seed: spec.seed,
      scheduler: spec.scheduler,
      signal: ctx.signal,
      ...(spec.decoder === 'taesd' && taesd ? { decoder: taesd } : {}),
      ...(imagePrompt ? { imagePrompt } : {}),
      onStep: async (info: { step: number; totalSteps: number; latents: tf.Tensor4D }) => {
        const preview = ctx.wantsPreview(info.step) ? await latentPreview(info.latents, taesd) : undefined;
        ctx.progress({ step: info.step, totalSteps: info.totalSteps, stage: 'denoising', ...(preview ? { preview } : {}) });
        return !ctx.signal.aborted;
      },
    };
    switch (this.mode) {
      case 'text-to-image': {
        const side = defaultSide(model);
        return model.txt2img({ ...common, width: spec.width || side, height: spec.height || side });
      }
      case 'image-to-image': {
        const image = rawToTensor(required(spec.initImage, 'init image'));
        owned.push(image);
        return model.img2img({ ...common, image, strength: spec.strength });
      }
      case 'inpaint': {
        const image = rawToTensor(required(spec.initImage, 'init image'));
        const mask = rawToTensor(required(spec.maskImage, 'mask image'));
        owned.push(image, mask);
        return model.inpaint({ ...common, image, mask, strength: spec.strength });
      }
    }
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} missing after validation`);
  return value;
}
