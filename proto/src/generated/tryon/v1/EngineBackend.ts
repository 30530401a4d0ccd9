// Original file: tryon/v1/tryon.proto

import type { Long } from '@grpc/proto-loader';

export interface EngineBackend {
  /**
   * "tensorflow-gpu", "webgpu", "tensorflow", "wasm" or "cpu"; empty while no engine worker is up.
   */
  'name'?: (string);
  /**
   * webgpu only (empty elsewhere): the adapter as WebGPU names it, e.g. "nvidia", "ampere", "NVIDIA A10G".
   */
  'adapter_vendor'?: (string);
  'adapter_architecture'?: (string);
  'adapter_description'?: (string);
  /**
   * A software (fallback) adapter such as Mesa's lavapipe: a CPU rasteriser, chosen only when asked for.
   */
  'software_adapter'?: (boolean);
  'max_storage_buffer_binding_size'?: (number | string | Long);
  'max_buffer_size'?: (number | string | Long);
  /**
   * The largest tensor the engine makes, in bytes (it chunks its work under it); 0 = no limit.
   */
  'max_tensor_bytes'?: (number | string | Long);
  /**
   * The backends tried first, each with why it was passed by ("webgpu: no WebGPU adapter: ...").
   */
  'passed_by'?: (string)[];
  /**
   * wasm: the threads XNNPACK computes on (TRYON_WASM_THREADS, default every core); 0 on other backends.
   */
  'cpu_threads'?: (number);
}

export interface EngineBackend__Output {
  /**
   * "tensorflow-gpu", "webgpu", "tensorflow", "wasm" or "cpu"; empty while no engine worker is up.
   */
  'name': (string);
  /**
   * webgpu only (empty elsewhere): the adapter as WebGPU names it, e.g. "nvidia", "ampere", "NVIDIA A10G".
   */
  'adapter_vendor': (string);
  'adapter_architecture': (string);
  'adapter_description': (string);
  /**
   * A software (fallback) adapter such as Mesa's lavapipe: a CPU rasteriser, chosen only when asked for.
   */
  'software_adapter': (boolean);
  'max_storage_buffer_binding_size': (string);
  'max_buffer_size': (string);
  /**
   * The largest tensor the engine makes, in bytes (it chunks its work under it); 0 = no limit.
   */
  'max_tensor_bytes': (string);
  /**
   * The backends tried first, each with why it was passed by ("webgpu: no WebGPU adapter: ...").
   */
  'passed_by': (string)[];
  /**
   * wasm: the threads XNNPACK computes on (TRYON_WASM_THREADS, default every core); 0 on other backends.
   */
  'cpu_threads': (number);
}
