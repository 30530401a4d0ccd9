// The try-on pipeline's public entry points. The gRPC server's MODE_TRY_ON and `npm run tryon` call runTryOn.
export { runTryOn, type TryOnOptions, type TryOnResult, type EngineName } from './run-try-on.js';
export { TryOnError, type TryOnErrorCode } from './errors.js';
export type { DiffusionSettings } from './engines/diffusion/settings.js';
export { CATEGORIES, type Category, type TryOnProgress, type TryOnProgressCallback, type TryOnStage } from './types.js';
export { resolveCategory, parseCategory } from './garment/category.js';
