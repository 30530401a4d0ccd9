// MODE_TRY_ON on the try-on pipeline (server/src/tryon): the weights-free warp engine, or the diffusion engine
// on an inpainting model. Its stages report progress as a percentage of the whole run.
import { runTryOn, TryOnError } from '../../tryon/index.js';
import type { StableDiffusionModel, LatentDecoder } from '../../engine/index.js';
import type { ImagePromptModel } from './image-prompt-models.js';
import { catvtonVariant, JobLeases, taesdInUse, type WorkerModels } from './worker-models.js';
import type { GenerateOutput, GenerateRunContext, GenerateRunner, GenerateSpec } from './types.js';

/** Progress of a try-on is reported as percent of the run (its stages differ in length and have no steps). */
const PERCENT = 100;

export class TryOnRunner implements GenerateRunner {
  constructor(private readonly models: WorkerModels) {}

  async run(spec: GenerateSpec, ctx: GenerateRunContext): Promise<GenerateOutput> {
    // The fast preset puts the LCM-LoRA first; a store LoRA may follow it.
    const lcm = spec.preset === 'fast' ? spec.loras[0] : undefined;
    const storeLoras = spec.preset === 'fast' ? spec.loras.slice(1) : spec.loras;
    const lora = storeLoras[0];
    if (storeLoras.length > 1) throw new TryOnError('BAD_ARGUMENT', `try-on applies at most one LoRA, got ${storeLoras.length}`);
    const engine = spec.engine ?? 'warp';
    const conditioning = engine === 'diffusion' ? spec.garmentConditioning : undefined;
    const leases = new JobLeases();
    try {
      if (engine !== 'diffusion' || !spec.model) return await this.tryOn(spec, ctx, { engine, conditioning, lora, lcm });
      // The plain inpainting model is the one inpaint jobs lease too (one copy); CatVTON's changes the UNet in
      // place, so it is an entry of its own.
      const model = conditioning === 'catvton' && spec.catvton ? this.models.catvton.acquire(catvtonVariant(spec.model, spec.catvton)) : this.models.stableDiffusion.acquire(spec.model);
      const diffusionModel = (await leases.hold(model)).value;
      const taesdEntry = taesdInUse(spec);
      const taesd = taesdEntry ? (await leases.hold(this.models.taesd.acquire(taesdEntry))).value : undefined;
      const ipModels = conditioning === 'ip-adapter' && spec.ipAdapter ? (await leases.hold(this.models.imagePrompts.acquire(spec.ipAdapter))).value : undefined;
      return await this.tryOn(spec, ctx, { engine, conditioning, taesd, ipModels, diffusionModel, lora, lcm });
    } finally {
      leases.releaseAll();
    }
  }

  private async tryOn(
    spec: GenerateSpec,
    ctx: GenerateRunContext,
    r: {
      engine: 'warp' | 'diffusion';
      conditioning: GenerateSpec['garmentConditioning'] | undefined;
      taesd?: LatentDecoder;
      ipModels?: ImagePromptModel;
      diffusionModel?: StableDiffusionModel;
      lora: GenerateSpec['loras'][number] | undefined;
      lcm: GenerateSpec['loras'][number] | undefined;
    },
  ): Promise<GenerateOutput> {
    const { engine, conditioning, taesd, ipModels, diffusionModel, lora, lcm } = r;
    const { personImageFile, garmentImageFile } = spec;
    if (!personImageFile || !garmentImageFile) throw new Error('try-on images missing after validation');
    const result = await runTryOn({
      ...(diffusionModel ? { diffusionModel } : {}),
      personImage: personImageFile,
      garmentImage: garmentImageFile,
      category: spec.category,
      title: spec.garmentTitle || undefined,
      description: spec.garmentDescription || spec.prompt || undefined,
      engine,
      model:
        engine === 'diffusion' && spec.model
          ? {
              modelDir: spec.model.path,
              steps: spec.steps,
              guidanceScale: spec.guidanceScale,
              seed: spec.seed,
              strength: spec.strength,
              previewEvery: spec.previewEvery,
              ...(spec.scheduler ? { scheduler: spec.scheduler } : {}),
              ...(spec.tryOnWorkingHeight > 0 ? { height: spec.tryOnWorkingHeight } : {}),
              ...(conditioning === 'text' ? { mode: 'text' as const } : {}),
              ...(conditioning === 'ip-adapter' ? { mode: 'ip-adapter' as const, strength: spec.refineStrength, imagePromptScale: spec.imagePromptScale } : {}),
              ...(conditioning === 'catvton' && spec.catvton ? { mode: 'concat' as const, catvtonPath: spec.catvton.path } : {}),
              ...(lora ? { loraPath: lora.entry.path, loraScale: lora.scale } : {}),
              ...(lcm ? { loras: [{ path: lcm.entry.path, scale: lcm.scale }] } : {}),
            }
          : undefined,
      ...(ipModels ? { imagePrompt: { tokens: (image) => ipModels.tokens(image), attach: (unet) => ipModels.adapter.attach(unet) } } : {}),
      decoders: { preview: taesd, ...(spec.decoder === 'taesd' ? { result: taesd } : {}) },
      mask: spec.maskImageFile,
      signal: ctx.signal,
      onProgress: (p) => {
        // The engine already made denoising previews every preview_every steps; a stage's single preview (the
        // warp's) goes whenever previews are on.
        const wantPreview = p.preview !== undefined && ctx.wantsPreview(p.step ?? 0);
        ctx.progress({ step: Math.round(p.fraction * PERCENT), totalSteps: PERCENT, stage: p.stage, ...(wantPreview && p.preview ? { preview: { ...p.preview, channels: 3 } } : {}) });
        return !ctx.signal.aborted;
      },
    });
    return {
      images: [result.image],
      seeds: [spec.seed],
      ...(spec.maskOut ? { mask: result.mask } : {}),
      model: spec.model?.name ?? 'warp',
      engine: result.engine,
      loadMs: 0,
      preset: engine === 'diffusion' ? spec.preset : 'standard',
      decoder: engine === 'diffusion' && taesd && spec.decoder === 'taesd' ? 'taesd' : 'vae',
      warnings: [...(engine === 'diffusion' && spec.presetNote ? [spec.presetNote] : []), ...result.warnings],
    };
  }
}
