// Original file: tryon/v1/tryon.proto

export const TrainMode = {
  TRAIN_MODE_UNSPECIFIED: 'TRAIN_MODE_UNSPECIFIED',
  TRAIN_MODE_FULL: 'TRAIN_MODE_FULL',
  TRAIN_MODE_LORA: 'TRAIN_MODE_LORA',
  TRAIN_MODE_INPAINT_LORA: 'TRAIN_MODE_INPAINT_LORA',
} as const;

export type TrainMode =
  | 'TRAIN_MODE_UNSPECIFIED'
  | 0
  | 'TRAIN_MODE_FULL'
  | 1
  | 'TRAIN_MODE_LORA'
  | 2
  | 'TRAIN_MODE_INPAINT_LORA'
  | 3

export type TrainMode__Output = typeof TrainMode[keyof typeof TrainMode]
