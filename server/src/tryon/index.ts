// The try-on pipeline's public entry points. The gRPC server's MODE_TRY_ON and `npm run tryon` call runTryOn.
export { runTryOn, type TryOnOptions, type TryOnResult, type EngineName } from './run-try-on.js';
export { TryOnError, type TryOnErrorCode } from './errors.js';
export type { DiffusionSettings } from './engines/diffusion/settings.js';
export { CATEGORIES, type Category, type TryOnProgress, type TryOnProgressCallback, type TryOnStage } from './types.js';
export { resolveCategory, parseCategory } from './garment/category.js';

// For `npm run tryon` and bench:tryon: debug overlays, image I/O, the weights catalogue and its downloader.
export { drawKeypoints, overlayMask } from './debug-images.js';
export { type DiffusionDecoders, type GarmentImagePrompt } from './engines/diffusion/generate.js';
export { encodePng, greyToMask } from './image-io.js';
export { DEFAULT_ENDPOINT, downloadModel } from './weights/download.js';
export { findKnownModel, KNOWN_MODELS } from './weights/known-models.js';
