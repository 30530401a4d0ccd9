// Every model the engine worker's runners use, of every kind, leased from one registry: one memory budget, one LRU,
// one TRYON_OFFLOAD_UNET setting, one shutdown. How each kind loads stays with its code (engine, try-on, IP-Adapter).
import { loadAutoencoderTiny, loadStableDiffusion, taesdDecoder, type LatentDecoder, type StableDiffusionModel } from '../../engine/index.js';
import { ModelRegistry, type ModelLease, type ModelRef, type ModelsOfKind, type RegistryEvents } from '../../model-store/registry.js';
import type { ModelEntry } from '../../model-store/scan.js';
import { loadInpaintingModel } from '../../tryon/engines/diffusion/inpainting-model.js';
import { loadImagePromptModel, type ImagePromptModel } from './image-prompt-models.js';
import type { GenerateSpec } from './types.js';

export interface WorkerModels {
  readonly registry: ModelRegistry;
  /** Pipelines for text-to-image, image-to-image and inpaint; the diffusion try-on's inpainting model too. */
  readonly stableDiffusion: ModelsOfKind<StableDiffusionModel>;
  /** An inpainting model with CatVTON's attention written into its UNet (see catvtonVariant). */
  readonly catvton: ModelsOfKind<StableDiffusionModel>;
  /** TAESD: previews at the working size and, when asked, the result's decode. */
  readonly taesd: ModelsOfKind<LatentDecoder>;
  /** IP-Adapters with their image encoders: image prompts, the try-on's garment conditioning. */
  readonly imagePrompts: ModelsOfKind<ImagePromptModel>;
}

export function createWorkerModels(budgetBytes: number, offloadUNetWeights: boolean, events: RegistryEvents = {}): WorkerModels {
  const registry = new ModelRegistry(budgetBytes, events);
  const owned = <T extends { dispose(): void }>(value: T) => ({ value, dispose: () => value.dispose() });
  return {
    registry,
    stableDiffusion: registry.ofKind('stable-diffusion', async (ref) => owned(await loadStableDiffusion(ref.path, { offloadUNetWeights }))),
    catvton: registry.ofKind('catvton-inpainting', async (ref) => owned(await loadInpaintingModel(ref.path, { catvtonPath: ref.variant, offloadUNetWeights }))),
    taesd: registry.ofKind('taesd', async (ref) => {
      const model = await loadAutoencoderTiny(ref.path);
      return { value: taesdDecoder(model), dispose: () => model.dispose() };
    }),
    imagePrompts: registry.ofKind('ip-adapter', async (ref) => owned(await loadImagePromptModel(ref.path))),
  };
}

/** CatVTON's variant of an inpainting model: keyed by both paths, so it never stands in for the plain model. */
export function catvtonVariant(model: ModelEntry, catvton: ModelEntry): ModelRef {
  // The attention weights replace the UNet's own, so the variant costs what the model costs.
  return { name: `${model.name}+${catvton.name}`, path: model.path, memoryBytes: model.memoryBytes, variant: catvton.path };
}

/** The leases one job holds, released together (newest first) however the job ends. */
export class JobLeases {
  private readonly held: ModelLease<unknown>[] = [];

  async hold<T>(pending: Promise<ModelLease<T>>): Promise<ModelLease<T>> {
    const lease = await pending;
    this.held.push(lease);
    return lease;
  }

  releaseAll(): void {
    for (const lease of this.held.splice(0).reverse()) lease.release();
  }
}

/** The TAESD entry when the job decodes anything with it (previews or the result); otherwise none is leased. */
export function taesdInUse(spec: Pick<GenerateSpec, 'taesd' | 'decoder' | 'previewEvery'>): ModelEntry | undefined {
  return spec.decoder === 'taesd' || spec.previewEvery > 0 ? spec.taesd : undefined;
}
