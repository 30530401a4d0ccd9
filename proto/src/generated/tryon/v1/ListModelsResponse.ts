// Original file: tryon/v1/tryon.proto

import type { ModelInfo as _tryon_v1_ModelInfo, ModelInfo__Output as _tryon_v1_ModelInfo__Output } from '../../tryon/v1/ModelInfo.js';
import type { EngineBackend as _tryon_v1_EngineBackend, EngineBackend__Output as _tryon_v1_EngineBackend__Output } from '../../tryon/v1/EngineBackend.js';

export interface ListModelsResponse {
  'models'?: (_tryon_v1_ModelInfo)[];
  'default_model'?: (string);
  /**
   * What runs the models: the engine's TensorFlow.js backend and, on webgpu, the GPU adapter.
   */
  'backend'?: (_tryon_v1_EngineBackend | null);
}

export interface ListModelsResponse__Output {
  'models': (_tryon_v1_ModelInfo__Output)[];
  'default_model': (string);
  /**
   * What runs the models: the engine's TensorFlow.js backend and, on webgpu, the GPU adapter.
   */
  'backend': (_tryon_v1_EngineBackend__Output | null);
}
