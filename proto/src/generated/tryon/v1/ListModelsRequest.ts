// Original file: tryon/v1/tryon.proto

import type { ModelKind as _tryon_v1_ModelKind, ModelKind__Output as _tryon_v1_ModelKind__Output } from '../../tryon/v1/ModelKind.js';

export interface ListModelsRequest {
  /**
   * Filter; unspecified = all.
   */
  'kind'?: (_tryon_v1_ModelKind);
}

export interface ListModelsRequest__Output {
  /**
   * Filter; unspecified = all.
   */
  'kind': (_tryon_v1_ModelKind__Output);
}
