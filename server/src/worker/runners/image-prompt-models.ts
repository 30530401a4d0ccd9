// An IP-Adapter folder (h94/IP-Adapter layout: the adapter file, plus first, and the image encoder under
// models/image_encoder): what turns a product photo into image tokens. The engine worker keeps them in its registry.
import type { RgbImage } from '../../image.js';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { clipPixelValues, parseCLIPImageProcessorConfig, type CLIPImageProcessorConfig, type CLIPVisionModelWithProjection, loadCLIPVisionModel, encodeImagePrompt, type ImagePromptTokens, IPAdapter } from '../../engine/index.js';

const ADAPTER_FILES = ['models/ip-adapter-plus_sd15.safetensors', 'models/ip-adapter_sd15.safetensors'];

export interface ImagePromptModel {
  readonly adapter: IPAdapter;
  readonly encoder: CLIPVisionModelWithProjection;
  readonly processor: CLIPImageProcessorConfig;
  /** An image (encoded file or raw RGB) → its conditional and unconditional tokens (the caller disposes them). */
  tokens(image: Buffer | RgbImage): Promise<ImagePromptTokens>;
  dispose(): void;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** An IP-Adapter folder in h94/IP-Adapter's layout, with its image encoder. */
export async function loadImagePromptModel(dir: string): Promise<ImagePromptModel> {
  let adapterFile: string | undefined;
  for (const f of ADAPTER_FILES) if (!adapterFile && (await exists(path.join(dir, f)))) adapterFile = path.join(dir, f);
  if (!adapterFile) throw new Error(`${dir}: no ${ADAPTER_FILES.join(' or ')}`);
  const encoderDir = path.join(dir, 'models/image_encoder');
  const encoder = await loadCLIPVisionModel(encoderDir);
  const adapter = await IPAdapter.load(adapterFile).catch((err: unknown) => {
    encoder.dispose();
    throw err;
  });
  // The repository has no preprocessor config: CLIPImageProcessor's defaults at the encoder's own size.
  const configFile = path.join(encoderDir, 'preprocessor_config.json');
  const side = encoder.config.imageSize;
  const processor = parseCLIPImageProcessorConfig(
    (await exists(configFile)) ? JSON.parse(await readFile(configFile, 'utf8')) : { size: { shortest_edge: side }, crop_size: { height: side, width: side } },
  );
  return {
    adapter,
    encoder,
    processor,
    dispose: () => {
      adapter.dispose();
      encoder.dispose();
    },
    async tokens(image) {
      const pixels: tf.Tensor4D = await clipPixelValues(image, processor);
      try {
        return encodeImagePrompt(adapter, encoder, pixels);
      } finally {
        pixels.dispose();
      }
    },
  };
}
