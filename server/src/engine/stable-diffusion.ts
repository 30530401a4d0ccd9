// Loads a Stable Diffusion 1.x/2.x model (a diffusers folder, or a single-file checkpoint plus a config
// folder) into one bundle with the pipelines attached, and applies LoRAs per request.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCLIPTextConfig } from './models/clip/clip-text-config.js';
import { CLIPTextModel } from './models/clip/clip-text-model.js';
import { UNet2DConditionModel } from './models/unet/unet-2d-condition.js';
import { parseUNetConfig } from './models/unet/unet-config.js';
import { AutoencoderKL } from './models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from './models/vae/vae-config.js';
import { CLIPTokenizer } from './tokenizer/clip-tokenizer.js';
import { loadDiffusersFolder, WeightsError, type StableDiffusionWeights } from './weights/diffusers-folder.js';
import { loadSingleFile } from './weights/single-file.js';
import { loadLora, type LoraWeights } from './weights/lora.js';
import { applyLora, type AppliedLora } from './weights/lora-apply.js';
import { pipelineComponents } from './pipelines/adapters.js';
import type { PipelineComponents } from './pipelines/components.js';
import { img2img } from './pipelines/img2img.js';
import { inpaint } from './pipelines/inpaint.js';
import type { Img2ImgOptions, InpaintOptions, PipelineResult, Txt2ImgOptions } from './pipelines/options.js';
import { txt2img } from './pipelines/txt2img.js';

/** The SD 1.5 config set shipped with the engine (configs only; see configs/sd15/README.md). */
export const BUNDLED_SD15_CONFIG_DIR = fileURLToPath(new URL('./configs/sd15', import.meta.url));

export interface LoadStableDiffusionOptions {
  /** Single-file checkpoints: the diffusers folder whose configs describe it (default: bundled SD 1.5). */
  configDir?: string;
  /** Where vocab.json and merges.txt are, when not in `<folder or configDir>/tokenizer`. */
  tokenizerDir?: string;
  /** Called while weights are read, for progress bars. */
  onProgress?: (done: number, total: number, what: string) => void;
  /**
   * Keep the UNet's weights in host memory and upload them layer by layer (ModelOptions.offloadWeights): lets
   * SD 1.5 run on wasm, whose 4 GB heap cannot hold them resident. LoRAs then train but cannot be applied.
   */
  offloadUNetWeights?: boolean;
  /**
   * With offloadUNetWeights: backend bytes the UNet's largest weights may take resident, packed once instead
   * of every step (ModelOptions.residentWeightBytes). Default DEFAULT_UNET_RESIDENT_BYTES.
   */
  unetResidentBytes?: number;
}

/**
 * Measured on wasm (4 GiB heap): an offloaded SD 1.5 step peaks at 0.87 GiB, the text encoder and the VAE
 * with XNNPACK's packed copies take about 1.4 GiB; 1 GiB of resident UNet weights (0.5 GiB of them, packed
 * twice over) leaves about half a GiB spare for fragmentation and the other models a worker holds.
 */
export const DEFAULT_UNET_RESIDENT_BYTES = 2 ** 30;

/** The networks of one Stable Diffusion checkpoint and the scheduler config it shipped with. */
export interface StableDiffusionParts {
  /** What was loaded (folder or file). */
  readonly source: string;
  readonly tokenizer: CLIPTokenizer;
  readonly textEncoder: CLIPTextModel;
  readonly unet: UNet2DConditionModel;
  readonly vae: AutoencoderKL;
  /** scheduler_config.json as stored (its `_class_name` is the default scheduler). */
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
}

export interface StableDiffusionModel extends StableDiffusionParts {
  /** The models behind the small interfaces the pipelines use. */
  readonly components: PipelineComponents;
  txt2img(opts: Txt2ImgOptions): Promise<PipelineResult>;
  img2img(opts: Img2ImgOptions): Promise<PipelineResult>;
  inpaint(opts: InpaintOptions): Promise<PipelineResult>;
  /**
   * Adds a kohya/A1111 LoRA (a .safetensors path, or weights from loadLora, which the caller keeps) at
   * `scale` to the UNet and text encoder in place; `remove()` restores them exactly. Several may be
   * stacked; remove them newest first.
   */
  applyLora(lora: string | LoraWeights, scale: number): Promise<AppliedLora>;
  dispose(): void;
}


async function loadWeights(source: string, opts: LoadStableDiffusionOptions): Promise<StableDiffusionWeights> {
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch (err) {
    throw new WeightsError(`model ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}`);
  }
  const unetInHost = opts.offloadUNetWeights === true;
  if (isDir) return loadDiffusersFolder(source, { unetInHost, onProgress: (done, total, what) => opts.onProgress?.(done, total, what) });
  const configDir = opts.configDir ?? BUNDLED_SD15_CONFIG_DIR;
  return loadSingleFile(source, configDir, { unetInHost, onProgress: (done, total) => opts.onProgress?.(done, total, 'checkpoint') });
}

async function loadTokenizer(dir: string): Promise<CLIPTokenizer> {
  for (const file of ['vocab.json', 'merges.txt']) {
    if (!existsSync(path.join(dir, file))) {
      throw new WeightsError(
        `no CLIP tokenizer in ${dir} (${file} missing); pass tokenizerDir, or a config folder with tokenizer/vocab.json and merges.txt`,
      );
    }
  }
  return CLIPTokenizer.fromDir(dir);
}

/** Builds each model from its config and weights; the WeightMaps are freed once bound into variables. */
export async function loadStableDiffusion(source: string, opts: LoadStableDiffusionOptions = {}): Promise<StableDiffusionModel> {
  const weights = await loadWeights(source, opts);
  const built: { dispose(): void }[] = [];
  try {
    const tokenizer = await loadTokenizer(opts.tokenizerDir ?? weights.tokenizerDir);
    const textEncoder = new CLIPTextModel(parseCLIPTextConfig(weights.textEncoder.config), weights.textEncoder.weights);
    built.push(textEncoder);
    const offload = opts.offloadUNetWeights === true;
    const unet = new UNet2DConditionModel(parseUNetConfig(weights.unet.config), weights.unet.weights, {
      offloadWeights: offload,
      releaseWeights: offload,
      residentWeightBytes: opts.unetResidentBytes ?? DEFAULT_UNET_RESIDENT_BYTES,
    });
    built.push(unet);
    const vae = new AutoencoderKL(parseAutoencoderKLConfig(weights.vae.config), weights.vae.weights);
    built.push(vae);
    return assembleStableDiffusion({ source, tokenizer, textEncoder, unet, vae, schedulerConfig: weights.schedulerConfig });
  } catch (err) {
    built.forEach((m) => m.dispose());
    throw err;
  } finally {
    weights.dispose();
  }
}


/**
 * A bundle over models built elsewhere (tests, the conformance cache sharing one text encoder between
 * folders). `dispose` frees the models unless `ownsModels` is false.
 */
export function assembleStableDiffusion(parts: StableDiffusionParts, ownsModels = true): StableDiffusionModel {
  const components = pipelineComponents(parts);
  const applied: AppliedLora[] = [];
  return {
    ...parts,
    components,
    txt2img: (o) => txt2img(components, o),
    img2img: (o) => img2img(components, o),
    inpaint: (o) => inpaint(components, o),
    async applyLora(lora, scale) {
      const weights = typeof lora === 'string' ? await loadLora(lora) : lora;
      try {
        const handle = applyLora({ textEncoder: parts.textEncoder, unet: parts.unet }, weights, scale);
        applied.push(handle);
        return {
          source: handle.source,
          format: handle.format,
          scale: handle.scale,
          parameters: handle.parameters,
          remove() {
            const at = applied.indexOf(handle);
            if (at < 0) return;
            handle.remove();
            applied.splice(at, 1);
          },
        };
      } finally {
        // The deltas are folded into the weights; the LoRA tensors are not needed to remove them.
        if (typeof lora === 'string') weights.dispose();
      }
    },
    dispose() {
      for (const handle of applied.splice(0).reverse()) handle.remove();
      if (!ownsModels) return;
      parts.textEncoder.dispose();
      parts.unet.dispose();
      parts.vae.dispose();
    },
  };
}
