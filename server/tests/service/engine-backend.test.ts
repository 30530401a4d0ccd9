// ListModels' `backend` from what the engine worker reported: the adapter and limits on webgpu, the reasons the
// backends tried first were passed by, and an empty name while no worker is up.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { engineBackendMessage } from '../../src/grpc/engine-backend.js';
import { connect, listModels, startTestServer } from './helpers.js';

describe('engineBackendMessage', () => {
  it('carries the webgpu adapter, its limits, the tensor limit and what was passed by', () => {
    const message = engineBackendMessage({
      name: 'webgpu',
      tfBackend: 'webgpu',
      adapter: {
        vendor: 'nvidia',
        architecture: 'ampere',
        device: '',
        description: 'NVIDIA A10G',
        software: false,
        maxStorageBufferBindingSize: 2 ** 31,
        maxBufferSize: 2 ** 32,
      },
      maxTensorBytes: 2 ** 31,
      skipped: [{ name: 'tensorflow-gpu', reason: "Cannot find package '@tensorflow/tfjs-node-gpu'" }],
    });
    expect(message).toEqual({
      name: 'webgpu',
      adapter_vendor: 'nvidia',
      adapter_architecture: 'ampere',
      adapter_description: 'NVIDIA A10G',
      software_adapter: false,
      max_storage_buffer_binding_size: 2 ** 31,
      max_buffer_size: 2 ** 32,
      max_tensor_bytes: 2 ** 31,
      passed_by: ["tensorflow-gpu: Cannot find package '@tensorflow/tfjs-node-gpu'"],
    });
  });

  it('has no adapter off webgpu and an empty name while no worker is up', () => {
    expect(engineBackendMessage({ name: 'wasm', tfBackend: 'wasm', simd: true, threads: 2, skipped: [] })).toEqual({ name: 'wasm', max_tensor_bytes: 0, cpu_threads: 2, passed_by: [] });
    expect(engineBackendMessage(undefined)).toEqual({ name: '', passed_by: [] });
  });
});

describe('TRYON_MAX_TENSOR_BYTES', () => {
  it('is checked with the rest of the configuration, and the engine worker runs under it', async () => {
    expect(loadConfig({}, { TRYON_MAX_TENSOR_BYTES: '65536' }).maxTensorBytes).toBe(65536);
    expect(() => loadConfig({}, { TRYON_MAX_TENSOR_BYTES: '12' })).toThrow(/maxTensorBytes/);
    expect(() => loadConfig({}, { TRYON_MAX_TENSOR_BYTES: 'lots' })).toThrow(/maxTensorBytes/);
    expect(loadConfig({}, { TRYON_WASM_THREADS: '3' }).wasmThreads).toBe(3);
    expect(() => loadConfig({}, { TRYON_WASM_THREADS: '0' })).toThrow(/wasmThreads/);
    const server = await startTestServer({ maxTensorBytes: 65536 });
    const client = connect(server);
    try {
      // uint64 on the wire: a decimal string (the loader's longs: String).
      expect((await listModels(client)).backend?.max_tensor_bytes).toBe('65536');
      // wasm here: XNNPACK's threads (every core unless TRYON_WASM_THREADS says otherwise).
      expect((await listModels(client)).backend?.cpu_threads).toBeGreaterThanOrEqual(1);
    } finally {
      client.close();
      await server.stop();
    }
  }, 120_000);
});
