// MODE_TRY_ON on the try-on pipeline (server/src/tryon): the weights-free warp engine, or the diffusion engine
// on an inpainting model. Its stages report progress as a percentage of the whole run.
import { runTryOn, TryOnError } from '../../tryon/index.js';
import type { GenerateOutput, GenerateRunContext, GenerateRunner, GenerateSpec } from './types.js';

/** Progress of a try-on is reported as percent of the run (its stages differ in length and have no steps). */
const PERCENT = 100;

export class TryOnRunner implements GenerateRunner {
  async run(spec: GenerateSpec, ctx: GenerateRunContext): Promise<GenerateOutput> {
    if (!spec.personImageFile || !spec.garmentImageFile) throw new Error('try-on images missing after validation');
    const lora = spec.loras[0];
    if (spec.loras.length > 1) throw new TryOnError('BAD_ARGUMENT', `try-on applies at most one LoRA, got ${spec.loras.length}`);
    const engine = spec.engine ?? 'warp';
    let previewStep = 0;
    const result = await runTryOn({
      personImage: spec.personImageFile,
      garmentImage: spec.garmentImageFile,
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
              ...(spec.tryOnWorkingHeight > 0 ? { height: spec.tryOnWorkingHeight } : {}),
              ...(lora ? { mode: 'text' as const, loraPath: lora.entry.path, loraScale: lora.scale } : {}),
            }
          : undefined,
      mask: spec.maskImageFile,
      signal: ctx.signal,
      onProgress: (p) => {
        // Denoising previews follow preview_every; a stage's single preview (the warp's) goes whenever previews are on.
        const wantPreview = p.preview !== undefined && (p.step === undefined ? ctx.wantsPreview(0) : ctx.wantsPreview(++previewStep));
        ctx.progress({ step: Math.round(p.fraction * PERCENT), totalSteps: PERCENT, stage: p.stage, ...(wantPreview ? { preview: p.preview } : {}) });
        return !ctx.signal.aborted;
      },
    });
    return {
      images: [{ png: result.image }],
      seeds: [spec.seed],
      ...(spec.maskOut ? { mask: { png: result.mask } } : {}),
      model: spec.model?.name ?? 'warp',
      engine: result.engine,
      loadMs: 0,
    };
  }
}
