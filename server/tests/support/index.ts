// @fitting-room/server/testing: for other packages' tests that need the real inference server (the storefront's
// end-to-end tests, the widget's browser tests) and the photos it must refuse.
export { freePort, startInferenceProcess, type InferenceProcess } from './inference-process.js';
export * from './refused-photos.js';
