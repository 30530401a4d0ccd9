// The try-on pipeline: check inputs, analyse the person, build the mask, prepare the garment, generate,
// composite. Every refusal happens before generation; progress and cancellation go through onProgress
// and the AbortSignal.
import type { GreyImage } from '../image.js';
import { initBackend, type StableDiffusionModel } from '../engine/index.js';
import { compositingAlpha, composite } from './compositing.js';
import type { DiffusionDecoders, GarmentImagePrompt } from './engines/diffusion/generate.js';
import type { DiffusionSettings } from './engines/diffusion/settings.js';
import { controlPoints } from './engines/warp/garment-placement.js';
import { paintOverOldGarment } from './engines/warp/repaint.js';
import { hasLongSleeves } from './engines/warp/sleeves.js';
import { warpGarment } from './engines/warp/warp-engine.js';
import { cancellationOf } from '../engine/index.js';
import { TryOnError } from './errors.js';
import { resolveCategory } from './garment/category.js';
import { cutOutGarment } from './garment/cut-out.js';
import { prepareGarment, type PreparedGarment } from './garment/prepare.js';
import { decodeMask, decodeRgb, decodeRgba, maskToGrey, previewImage } from './image-io.js';
import { buildAgnosticMask } from './masks/agnostic-mask.js';
import { bodyGeometry } from './masks/body-geometry.js';
import { binarize, subtract } from './masks/raster.js';
import { analyzePerson } from './person-analysis/analyze.js';
import type { Category, Mask, PersonAnalysis, RgbImage, TryOnProgressCallback, TryOnStage } from './types.js';

export type EngineName = 'warp' | 'diffusion';

export interface TryOnOptions {
  /** The shopper's photo (JPEG/PNG/WebP; EXIF orientation honoured). */
  readonly personImage: Buffer;
  /** The product image (plain backdrop, or transparent PNG). */
  readonly garmentImage: Buffer;
  /** upper | lower | dress; read from title/description when left out. */
  readonly category?: Category | string;
  readonly title?: string;
  readonly description?: string;
  /** `warp` (default, no weights) or `diffusion` (needs `model`). */
  readonly engine?: EngineName;
  readonly model?: DiffusionSettings;
  /** Diffusion engine: TAESD (or another fast decoder) for its previews and, when asked, its result. */
  readonly decoders?: DiffusionDecoders;
  /** Diffusion engine, ip-adapter mode: the IP-Adapter the garment image conditions through. */
  readonly imagePrompt?: GarmentImagePrompt;
  /** Diffusion engine: the inpainting model the caller holds (else the engine loads `model.modelDir`). */
  readonly diffusionModel?: StableDiffusionModel;
  /** The caller's own mask (white = repaint), used instead of the computed one. */
  readonly mask?: Buffer;
  readonly onProgress?: TryOnProgressCallback;
  readonly signal?: AbortSignal;
}

export interface TryOnResult {
  /** The photo's upright size. */
  readonly image: RgbImage;
  /** The alpha the result was composited with (0 = the photo's pixel, exactly). */
  readonly mask: GreyImage;
  readonly width: number;
  readonly height: number;
  readonly category: Category;
  readonly engine: EngineName;
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<TryOnStage, number>>;
  readonly warnings: readonly string[];
  /** Intermediate results for --debug-dir; `coverage`: where the warped garment landed (0..1). */
  readonly debug: { readonly analysis: PersonAnalysis; readonly garment: PreparedGarment; readonly photo: RgbImage; readonly coverage: Mask };
}

const STAGE_END: Readonly<Record<TryOnStage, number>> = { analysis: 0.15, garment: 0.2, mask: 0.25, generation: 0.95, compositing: 1 };

export async function runTryOn(opts: TryOnOptions): Promise<TryOnResult> {
  const warnings: string[] = [];
  const timings: Record<TryOnStage, number> = { analysis: 0, mask: 0, garment: 0, generation: 0, compositing: 0 };
  const engine = opts.engine ?? 'warp';
  if (engine !== 'warp' && engine !== 'diffusion') {
    throw new TryOnError('BAD_ARGUMENT', `engine must be warp or diffusion, got "${String(engine)}"`);
  }
  if (engine === 'diffusion' && !opts.model) {
    throw new TryOnError('MODEL_MISSING', 'the diffusion engine needs model settings (a Stable Diffusion inpainting folder)');
  }
  const category = resolveCategory(opts.category, opts.title, opts.description);
  const checkpoint = async (stage: TryOnStage, started: number): Promise<void> => {
    timings[stage] += performance.now() - started;
    if (opts.signal?.aborted) throw cancellationOf(opts.signal);
    if ((await opts.onProgress?.({ stage, fraction: STAGE_END[stage] })) === false) throw cancellationOf(opts.signal);
  };
  await initBackend();

  let t = performance.now();
  const photo = await decodeRgb(opts.personImage, 'person image');
  const garmentPhoto = await decodeRgba(opts.garmentImage, 'garment image');
  const analysis = await analyzePerson(photo, category);
  await checkpoint('analysis', t);

  t = performance.now();
  const garment = prepareGarment(garmentPhoto, category, await cutOutGarment(garmentPhoto, category));
  if (!garment.backgroundRemoved) warnings.push('the product image has no plain backdrop: it was used uncut, backdrop included');
  await checkpoint('garment', t);

  t = performance.now();
  const g = bodyGeometry(analysis.keypoints);
  const placed = controlPoints(garment, g);
  const computed = buildAgnosticMask(analysis, category, category === 'dress' ? [placed.photo[2], placed.photo[3]] : undefined, photo, {
    longSleeves: hasLongSleeves(garment),
  });
  let mask: Mask = computed.mask;
  let protectedParts: Mask | undefined = computed.protected;
  if (opts.mask) {
    mask = binarize(await decodeMask(opts.mask, photo.width, photo.height), 0.5);
    protectedParts = undefined;
  }
  await checkpoint('mask', t);


  t = performance.now();
  const warped = warpGarment(photo, analysis, mask, garment, await paintOverOldGarment(photo, analysis, mask));
  let generated = warped.image;
  if (engine === 'warp' && opts.onProgress) {
    // The warp has no denoising steps to preview: show its placement before the final compositing.
    const preview = await previewImage(warped.image);
    const fraction = (STAGE_END.garment + STAGE_END.generation) / 2;
    if ((await opts.onProgress({ stage: 'generation', fraction, preview })) === false) throw cancellationOf(opts.signal);
  }
  if (engine === 'diffusion' && opts.model) {
    const { generateWithDiffusion } = await import('./engines/diffusion/generate.js');
    const started = t;
    const result = await generateWithDiffusion({
      photo,
      mask: subtract(mask, protectedParts ?? { width: mask.width, height: mask.height, data: new Float32Array(mask.data.length) }),
      garment,
      warped: warped.image,
      prompt: opts.description ?? opts.title ?? '',
      title: opts.title,
      settings: opts.model,
      decoders: opts.decoders,
      imagePrompt: opts.imagePrompt,
      model: opts.diffusionModel,
      signal: opts.signal,
      onStep: async (step, totalSteps, preview) => {
        const fraction = STAGE_END.mask + ((STAGE_END.generation - STAGE_END.mask) * step) / totalSteps;
        const go = await opts.onProgress?.({ stage: 'generation', fraction, step, totalSteps, preview });
        return go !== false && !opts.signal?.aborted;
      },
    });
    warnings.push(...result.warnings);
    generated = result.image;
    t = started;
  }
  await checkpoint('generation', t);

  t = performance.now();
  const alpha = compositingAlpha(mask, protectedParts, Math.max(1, 0.015 * g.shoulderWidth));
  const image = composite(photo, generated, alpha);
  await checkpoint('compositing', t);
  return {
    image,
    mask: maskToGrey(alpha),
    width: photo.width,
    height: photo.height,
    category,
    engine,
    timings,
    warnings,
    debug: { analysis, garment, photo, coverage: warped.coverage },
  };
}
