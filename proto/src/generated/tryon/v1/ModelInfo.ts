// Original file: tryon/v1/tryon.proto

import type { ModelKind as _tryon_v1_ModelKind, ModelKind__Output as _tryon_v1_ModelKind__Output } from '../../tryon/v1/ModelKind.js';
import type { Long } from '@grpc/proto-loader';

export interface ModelInfo {
  'name'?: (string);
  'kind'?: (_tryon_v1_ModelKind);
  'loaded'?: (boolean);
  /**
   * "diffusers", "single-file", "lora-safetensors", "builtin".
   */
  'format'?: (string);
  'size_bytes'?: (number | string | Long);
  'is_default'?: (boolean);
  /**
   * The weights' licence where the server knows it (known downloads, CatVTON), else "unknown: see the model card".
   */
  'licence'?: (string);
}

export interface ModelInfo__Output {
  'name': (string);
  'kind': (_tryon_v1_ModelKind__Output);
  'loaded': (boolean);
  /**
   * "diffusers", "single-file", "lora-safetensors", "builtin".
   */
  'format': (string);
  'size_bytes': (string);
  'is_default': (boolean);
  /**
   * The weights' licence where the server knows it (known downloads, CatVTON), else "unknown: see the model card".
   */
  'licence': (string);
}
