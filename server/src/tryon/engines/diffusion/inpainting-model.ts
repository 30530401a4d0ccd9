// The diffusion engine's model: a Stable Diffusion inpainting folder (UNet in_channels 9), with CatVTON's attention
// weights written into it when asked. No cache here: the engine worker keeps what this loads in its model registry
// (CatVTON's variant as an entry of its own, since it is another model), and the CLI loads once per run.
import { loadStableDiffusion, type StableDiffusionModel } from '../../../engine/index.js';
import { TryOnError } from '../../errors.js';
import { loadCatvtonAttention, resolveCatvtonFile } from './catvton-attention.js';

export interface InpaintingModelOptions {
  /** CatVTON's attention weights (folder or file), overwriting the UNet's attn1 projections. */
  readonly catvtonPath?: string;
  /** TRYON_OFFLOAD_UNET: UNet weights in host memory, uploaded per layer. */
  readonly offloadUNetWeights?: boolean;
}

export async function loadInpaintingModel(modelDir: string, opts: InpaintingModelOptions = {}): Promise<StableDiffusionModel> {
  if (opts.catvtonPath && opts.offloadUNetWeights) {
    throw new TryOnError('BAD_ARGUMENT', "CatVTON's weights are written into the UNet's variables, and a UNet offloaded to host memory (TRYON_OFFLOAD_UNET) has none");
  }
  const model = await loadStableDiffusion(modelDir, { offloadUNetWeights: opts.offloadUNetWeights }).catch((err: Error) => {
    throw new TryOnError('MODEL_MISSING', `cannot load the diffusion model at ${modelDir}: ${err.message}`);
  });
  try {
    if (model.components.unet.inChannels !== 9) {
      throw new TryOnError('MODEL_MISSING', `${modelDir} is not an inpainting model (UNet in_channels ${model.components.unet.inChannels}, needs 9)`);
    }
    if (opts.catvtonPath) await loadCatvtonAttention(model.unet.parameters, await resolveCatvtonFile(opts.catvtonPath));
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}
