// Original file: tryon/v1/tryon.proto

import type { TrainMode as _tryon_v1_TrainMode, TrainMode__Output as _tryon_v1_TrainMode__Output } from '../../tryon/v1/TrainMode.js';
import type { Long } from '@grpc/proto-loader';

export interface TrainRequest {
  /**
   * Under the server's datasets directory: a folder (images + captions file, or name.jpg + name.txt pairs,
   * or a storefront catalog export) or a JSONL manifest of {image, text}.
   */
  'dataset_path'?: (string);
  /**
   * For the "folder + captions file" layout: one caption per image, in file order.
   */
  'captions_path'?: (string);
  /**
   * Keep only pairs whose text mentions one of these (case-insensitive). Empty = keep all.
   */
  'keywords'?: (string)[];
  /**
   * A base model name from ListModels (empty = default).
   */
  'base_model'?: (string);
  'mode'?: (_tryon_v1_TrainMode);
  'steps'?: (number);
  'batch_size'?: (number);
  'learning_rate'?: (number | string);
  /**
   * Training resolution (multiple of 8).
   */
  'resolution'?: (number);
  /**
   * LoRA rank and alpha (0 = trainer defaults).
   */
  'rank'?: (number);
  'alpha'?: (number | string);
  'validation_prompts'?: (string)[];
  /**
   * Name of the resulting model or LoRA in the models directory.
   */
  'output_name'?: (string);
  'seed'?: (number | string | Long);
  'gradient_accumulation'?: (number);
  'checkpoint_every'?: (number);
  'validation_every'?: (number);
  'warmup_steps'?: (number);
  /**
   * Continue from output_name's last checkpoint.
   */
  'resume'?: (boolean);
  'random_crop'?: (boolean);
  'horizontal_flip'?: (boolean);
  'train_text_encoder'?: (boolean);
}

export interface TrainRequest__Output {
  /**
   * Under the server's datasets directory: a folder (images + captions file, or name.jpg + name.txt pairs,
   * or a storefront catalog export) or a JSONL manifest of {image, text}.
   */
  'dataset_path': (string);
  /**
   * For the "folder + captions file" layout: one caption per image, in file order.
   */
  'captions_path': (string);
  /**
   * Keep only pairs whose text mentions one of these (case-insensitive). Empty = keep all.
   */
  'keywords': (string)[];
  /**
   * A base model name from ListModels (empty = default).
   */
  'base_model': (string);
  'mode': (_tryon_v1_TrainMode__Output);
  'steps': (number);
  'batch_size': (number);
  'learning_rate': (number);
  /**
   * Training resolution (multiple of 8).
   */
  'resolution': (number);
  /**
   * LoRA rank and alpha (0 = trainer defaults).
   */
  'rank': (number);
  'alpha': (number);
  'validation_prompts': (string)[];
  /**
   * Name of the resulting model or LoRA in the models directory.
   */
  'output_name': (string);
  'seed': (string);
  'gradient_accumulation': (number);
  'checkpoint_every': (number);
  'validation_every': (number);
  'warmup_steps': (number);
  /**
   * Continue from output_name's last checkpoint.
   */
  'resume': (boolean);
  'random_crop': (boolean);
  'horizontal_flip': (boolean);
  'train_text_encoder': (boolean);
}
