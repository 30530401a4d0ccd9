// Registers the engine's case handlers, then the ones other areas contribute if their module exists
// (training: `train_step`). A type with no handler is reported as "not supported yet", not failed.
import { registerCaseHandler } from '../registry.js';
import { clipImagePreprocessCase, clipVisionCase } from './clip-vision.js';
import { ipAdapterImageProjCase, unetIpAdapterCase } from './ip-adapter.js';
import { textEncoderCase, unetCase, vaeDecodeCase, vaeEncodeCase } from './models.js';
import { pipelineCase } from './pipeline.js';
import { schedulerCase } from './scheduler.js';
import { taesdDecodeCase, taesdEncodeCase } from './taesd.js';
import { tokenizeCase } from './tokenize.js';

/** Modules that call registerCaseHandler when imported; absent ones are skipped quietly. */
const CONTRIBUTED_HANDLER_MODULES = ['../../../training/conformance-train-step.js'];

let registered: Promise<void> | undefined;

export function registerBuiltInHandlers(): Promise<void> {
  registered ??= (async () => {
    registerCaseHandler('tokenize', tokenizeCase);
    registerCaseHandler('text_encoder', textEncoderCase);
    registerCaseHandler('unet', unetCase);
    registerCaseHandler('vae_encode', vaeEncodeCase);
    registerCaseHandler('vae_decode', vaeDecodeCase);
    registerCaseHandler('clip_vision', clipVisionCase);
    registerCaseHandler('clip_image_preprocess', clipImagePreprocessCase);
    registerCaseHandler('ip_adapter_image_proj', ipAdapterImageProjCase);
    registerCaseHandler('unet_ip_adapter', unetIpAdapterCase);
    registerCaseHandler('taesd_decode', taesdDecodeCase);
    registerCaseHandler('taesd_encode', taesdEncodeCase);
    registerCaseHandler('scheduler', schedulerCase);
    for (const type of ['txt2img', 'img2img', 'inpaint', 'single_file', 'lora', 'txt2img_ip_adapter', 'inpaint_ip_adapter']) registerCaseHandler(type, pipelineCase);
    for (const specifier of CONTRIBUTED_HANDLER_MODULES) await importIfPresent(specifier);
  })();
  return registered;
}

async function importIfPresent(specifier: string): Promise<void> {
  try {
    await import(new URL(specifier, import.meta.url).href);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missingItself = code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('conformance-train-step');
    if (!missingItself) throw err;
  }
}
