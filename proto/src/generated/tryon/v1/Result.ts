// Original file: tryon/v1/tryon.proto

import type { Timings as _tryon_v1_Timings, Timings__Output as _tryon_v1_Timings__Output } from '../../tryon/v1/Timings.js';
import type { Long } from '@grpc/proto-loader';

export interface Result {
  'images_png'?: (Buffer | Uint8Array | string)[];
  'seeds'?: (number | string | Long)[];
  /**
   * Only when the request set mask_out.
   */
  'mask_png'?: (Buffer | Uint8Array | string);
  'timings'?: (_tryon_v1_Timings | null);
  /**
   * The model and engine that ran the job (after defaults were applied).
   */
  'model'?: (string);
  'engine'?: (string);
  'job_id'?: (string);
  /**
   * The preset that ran ("standard" or "fast") and the decoder of the result ("vae" or "taesd").
   */
  'preset'?: (string);
  'decoder'?: (string);
  /**
   * What the caller should know about this result: a prompt cut to the text encoder's length, a product image
   * used with its backdrop, weights under a non-commercial licence, a fast preset that could not run.
   */
  'warnings'?: (string)[];
}

export interface Result__Output {
  'images_png': (Buffer)[];
  'seeds': (string)[];
  /**
   * Only when the request set mask_out.
   */
  'mask_png': (Buffer);
  'timings': (_tryon_v1_Timings__Output | null);
  /**
   * The model and engine that ran the job (after defaults were applied).
   */
  'model': (string);
  'engine': (string);
  'job_id': (string);
  /**
   * The preset that ran ("standard" or "fast") and the decoder of the result ("vae" or "taesd").
   */
  'preset': (string);
  'decoder': (string);
  /**
   * What the caller should know about this result: a prompt cut to the text encoder's length, a product image
   * used with its backdrop, weights under a non-commercial licence, a fast preset that could not run.
   */
  'warnings': (string)[];
}
