// Public surface of the safetensors reader and writer.
export { SafetensorsFile, SafetensorsError, loadSafetensors, disposeWeights } from './reader.js';
export type { SafetensorsEntry, SafetensorsDtype, DecodedTensor, LoadOptions } from './reader.js';
export { writeSafetensors } from './writer.js';
export type { WriteOptions, TensorsToWrite } from './writer.js';
