// ListModels' `backend`: the engine worker's TensorFlow.js backend and, on webgpu, its adapter, as the worker
// reported them when it came up (after a restart, the new worker's).
import type { EngineBackend } from '@fitting-room/proto';
import type { BackendInfo } from '../engine/index.js';

export function engineBackendMessage(info: BackendInfo | undefined): EngineBackend {
  if (info === undefined) return { name: '', passed_by: [] };
  const a = info.adapter;
  return {
    name: info.name,
    ...(a
      ? {
          adapter_vendor: a.vendor,
          adapter_architecture: a.architecture,
          adapter_description: a.description || a.device,
          software_adapter: a.software,
          max_storage_buffer_binding_size: a.maxStorageBufferBindingSize,
          max_buffer_size: a.maxBufferSize,
        }
      : {}),
    max_tensor_bytes: info.maxTensorBytes ?? 0,
    ...(info.threads === undefined ? {} : { cpu_threads: info.threads }),
    passed_by: info.skipped.map((s) => `${s.name}: ${s.reason}`),
  };
}
