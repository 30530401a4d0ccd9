// Prompt encoding with classifier-free guidance, as diffusers' StableDiffusionPipeline.encode_prompt.
import * as tf from '@tensorflow/tfjs-core';
import type { PipelineComponents } from './components.js';

export interface EncodedPrompt {
  /** [uncond...; cond...] along the batch when guidance is on, else only cond. Each prompt repeated per image. */
  readonly embeds: tf.Tensor3D;
  readonly guidance: boolean;
  readonly warnings: string[];
}

export interface EncodePromptArgs {
  readonly prompts: readonly string[];
  readonly negativePrompt?: string | readonly string[];
  readonly guidanceScale: number;
  readonly numImagesPerPrompt: number;
}

/** CFG is on only above 1 (at 1 the unconditional branch would cancel out), as diffusers' do_classifier_free_guidance. */
export function guidanceEnabled(guidanceScale: number): boolean {
  return guidanceScale > 1;
}

export function encodePrompt(components: Pick<PipelineComponents, 'tokenizer' | 'textEncoder'>, args: EncodePromptArgs): EncodedPrompt {
  const warnings: string[] = [];
  const guidance = guidanceEnabled(args.guidanceScale);
  const texts = [...args.prompts];
  if (guidance) {
    const negative = args.negativePrompt ?? '';
    const uncond = typeof negative === 'string' ? args.prompts.map(() => negative) : [...negative];
    texts.unshift(...uncond);
  }
  const tokens = components.tokenizer.tokenize(texts);
  try {
    tokens.truncated.forEach((cut, i) => {
      if (!cut) return;
      const isNegative = guidance && i < args.prompts.length;
      const index = isNegative ? i : i - (guidance ? args.prompts.length : 0);
      warnings.push(
        `${isNegative ? 'negative prompt' : 'prompt'} ${index} is longer than ${components.tokenizer.maxLength} tokens ` +
          `(start and end tokens included); the rest was cut off`,
      );
    });
    const embeds = tf.tidy(() => {
      const hidden = components.textEncoder.encode(tokens.ids);
      if (args.numImagesPerPrompt === 1) return hidden;
      // Porting note: diffusers repeats each prompt's embeddings consecutively (p0, p0, p1, p1), same here.
      const order = Array.from({ length: texts.length * args.numImagesPerPrompt }, (_, i) => Math.floor(i / args.numImagesPerPrompt));
      return tf.gather(hidden, order) as tf.Tensor3D;
    });
    return { embeds, guidance, warnings };
  } finally {
    tokens.ids.dispose();
  }
}
