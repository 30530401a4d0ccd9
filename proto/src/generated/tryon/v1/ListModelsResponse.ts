// Original file: tryon/v1/tryon.proto

import type { ModelInfo as _tryon_v1_ModelInfo, ModelInfo__Output as _tryon_v1_ModelInfo__Output } from '../../tryon/v1/ModelInfo.js';

export interface ListModelsResponse {
  'models'?: (_tryon_v1_ModelInfo)[];
  'default_model'?: (string);
}

export interface ListModelsResponse__Output {
  'models': (_tryon_v1_ModelInfo__Output)[];
  'default_model': (string);
}
