// The real Stable Diffusion architectures, from their published configs, call for exactly the parameters of
// the published checkpoints (counts as reported for SD 1.5 / 2.x), without loading any weights.
import { describe, expect, it } from 'vitest';
import { CLIPTextModel } from '../../src/engine/models/clip/clip-text-model.js';
import { parseCLIPTextConfig } from '../../src/engine/models/clip/clip-text-config.js';
import type { ParameterSpec } from '../../src/engine/models/layers/parameters.js';
import { UNet2DConditionModel } from '../../src/engine/models/unet/unet-2d-condition.js';
import { parseUNetConfig } from '../../src/engine/models/unet/unet-config.js';
import { AutoencoderKL } from '../../src/engine/models/vae/autoencoder-kl.js';
import { parseAutoencoderKLConfig } from '../../src/engine/models/vae/vae-config.js';

const total = (specs: ReadonlyMap<string, ParameterSpec>) =>
  [...specs.values()].reduce((sum, s) => sum + s.torchShape.reduce((a, b) => a * b, 1), 0);

// runwayml/stable-diffusion-v1-5 unet/config.json (keys that differ from diffusers' defaults).
const SD15_UNET = { attention_head_dim: 8, block_out_channels: [320, 640, 1280, 1280], cross_attention_dim: 768, sample_size: 64 };
// stabilityai/stable-diffusion-2-1 unet/config.json.
const SD21_UNET = {
  ...SD15_UNET,
  attention_head_dim: [5, 10, 20, 20],
  cross_attention_dim: 1024,
  use_linear_projection: true,
  upcast_attention: true,
  sample_size: 96,
};
const SD_VAE = {
  block_out_channels: [128, 256, 512, 512],
  down_block_types: Array(4).fill('DownEncoderBlock2D'),
  up_block_types: Array(4).fill('UpDecoderBlock2D'),
  layers_per_block: 2,
};

describe('parameters of the published architectures', () => {
  it('SD 1.5 UNet: 686 tensors, 859,520,964 parameters; its 9-channel inpainting variant 859,535,364', () => {
    const specs = UNet2DConditionModel.expectedParameters(parseUNetConfig(SD15_UNET));
    expect(specs.size).toBe(686);
    expect(total(specs)).toBe(859_520_964);
    expect(specs.get('down_blocks.0.attentions.0.proj_in.weight')?.torchShape).toEqual([320, 320, 1, 1]);
    expect(specs.get('down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight')?.torchShape).toEqual([320, 768]);
    expect(total(UNet2DConditionModel.expectedParameters(parseUNetConfig({ ...SD15_UNET, in_channels: 9 })))).toBe(859_535_364);
  });

  it('SD 2.1 UNet (linear projections, per-block heads): 865,910,724 parameters', () => {
    const specs = UNet2DConditionModel.expectedParameters(parseUNetConfig(SD21_UNET));
    expect(total(specs)).toBe(865_910_724);
    expect(specs.get('up_blocks.3.attentions.2.proj_out.weight')).toEqual({
      name: 'up_blocks.3.attentions.2.proj_out.weight',
      torchShape: [320, 320],
      layout: 'linear',
    });
  });

  it('SD VAE: 248 tensors, 83,653,863 parameters', () => {
    const specs = AutoencoderKL.expectedParameters(parseAutoencoderKLConfig(SD_VAE));
    expect(specs.size).toBe(248);
    expect(total(specs)).toBe(83_653_863);
  });

  it('CLIP ViT-L/14 text encoder (SD 1.x): 123,060,480; OpenCLIP ViT-H/14, 23 layers (SD 2.x): 340,387,840', () => {
    const vitL = parseCLIPTextConfig({ hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 12 });
    expect(total(CLIPTextModel.expectedParameters(vitL))).toBe(123_060_480);
    const vitH = parseCLIPTextConfig({
      hidden_size: 1024,
      intermediate_size: 4096,
      num_attention_heads: 16,
      num_hidden_layers: 23,
      hidden_act: 'gelu',
    });
    expect(total(CLIPTextModel.expectedParameters(vitH))).toBe(340_387_840);
  });
});
