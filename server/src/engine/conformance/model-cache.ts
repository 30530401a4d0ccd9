// Models of one conformance run, loaded once per folder or file and shared by every case naming it.
import path from 'node:path';
import { parseCLIPTextConfig } from '../models/clip/clip-text-config.js';
import { CLIPTextModel } from '../models/clip/clip-text-model.js';
import type { CLIPVisionModelWithProjection } from '../models/clip/clip-vision-model.js';
import { loadCLIPVisionModel } from '../models/clip/load-clip-vision.js';
import { IPAdapter } from '../models/ip-adapter/ip-adapter.js';
import { UNet2DConditionModel } from '../models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../models/unet/unet-config.js';
import { AutoencoderKL } from '../models/vae/autoencoder-kl.js';
import type { AutoencoderTiny } from '../models/taesd/autoencoder-tiny.js';
import { loadAutoencoderTiny } from '../models/taesd/load-autoencoder-tiny.js';
import { parseAutoencoderKLConfig } from '../models/vae/vae-config.js';
import { unetAdapter, vaeAdapter } from '../pipelines/adapters.js';
import type { DenoisingUNet, ImageAutoencoder } from '../pipelines/components.js';
import { loadStableDiffusion, type StableDiffusionModel } from '../stable-diffusion.js';
import { CLIPTokenizer } from '../tokenizer/clip-tokenizer.js';
import type { WeightMap } from '../types.js';
import { loadComponent } from '../weights/diffusers-folder.js';
import { disposeWeights } from '../safetensors/reader.js';

type Loaded = { dispose(): void };

export class ModelCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  private readonly owned: Loaded[] = [];

  tokenizer(dir: string): Promise<CLIPTokenizer> {
    return this.once(`tokenizer:${dir}`, () => CLIPTokenizer.fromDir(dir));
  }

  /** A component folder (`<root>/text_encoder`). */
  textEncoder(dir: string): Promise<CLIPTextModel> {
    return this.once(`text_encoder:${dir}`, () => this.component(dir, 'text_encoder', (c, w) => new CLIPTextModel(parseCLIPTextConfig(c), w)));
  }

  unetModel(dir: string): Promise<UNet2DConditionModel> {
    return this.once(`unet:${dir}`, () => this.component(dir, 'unet', (c, w) => new UNet2DConditionModel(parseUNetConfig(c), w)));
  }

  vaeModel(dir: string): Promise<AutoencoderKL> {
    return this.once(`vae:${dir}`, () => this.component(dir, 'vae', (c, w) => new AutoencoderKL(parseAutoencoderKLConfig(c), w)));
  }

  clipVision(dir: string): Promise<CLIPVisionModelWithProjection> {
    return this.once(`clip_vision:${dir}`, async () => {
      const model = await loadCLIPVisionModel(dir);
      this.owned.push(model);
      return model;
    });
  }

  ipAdapter(file: string): Promise<IPAdapter> {
    return this.once(`ip_adapter:${file}`, async () => {
      const adapter = await IPAdapter.load(file);
      this.owned.push(adapter);
      return adapter;
    });
  }

  taesd(dir: string): Promise<AutoencoderTiny> {
    return this.once(`taesd:${dir}`, async () => {
      const model = await loadAutoencoderTiny(dir);
      this.owned.push(model);
      return model;
    });
  }

  async unet(dir: string): Promise<DenoisingUNet> {
    return unetAdapter(await this.unetModel(dir));
  }

  async vae(dir: string): Promise<ImageAutoencoder> {
    return vaeAdapter(await this.vaeModel(dir));
  }

  /** A whole pipeline: a diffusers folder, or a single file with its config folder. */
  pipeline(source: string, configDir?: string): Promise<StableDiffusionModel> {
    return this.once(`pipeline:${source}:${configDir ?? ''}`, async () => {
      const sd = await loadStableDiffusion(source, { configDir });
      this.owned.push(sd);
      return sd;
    });
  }

  dispose(): void {
    for (const m of this.owned.splice(0)) m.dispose();
    this.entries.clear();
  }

  private async component<T extends Loaded>(
    dir: string,
    component: 'unet' | 'vae' | 'text_encoder',
    build: (config: Record<string, unknown>, weights: WeightMap) => T,
  ): Promise<T> {
    // Porting note: the manifest names component folders (`<root>/unet`); the loader takes root + component.
    if (path.basename(dir) !== component) throw new Error(`${dir}: expected a diffusers "${component}" folder`);
    const loaded = await loadComponent(path.dirname(dir), component);
    try {
      const model = build(loaded.config, loaded.weights);
      this.owned.push(model);
      return model;
    } finally {
      disposeWeights(loaded.weights);
    }
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key) as Promise<T> | undefined;
    if (!entry) {
      entry = load();
      this.entries.set(key, entry);
    }
    return entry;
  }
}
