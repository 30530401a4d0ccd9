// Automatic selection on a machine with a hardware WebGPU adapter. CI has none, so the software adapter is
// presented as hardware (isFallbackAdapter false): the selection reads nothing else, and the device behind it
// is real, so the backend check still runs a kernel on it. Its own file: the device opens once per process.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { dawnGpu } from '../../src/engine/webgpu/adapter.js';
import type { Gpu } from '../../src/engine/webgpu/gpu-types.js';

async function gpuReportingHardware(): Promise<Gpu> {
  const dawn = await dawnGpu();
  return {
    async requestAdapter(options) {
      const adapter = await dawn.requestAdapter(options);
      if (adapter === null) return null;
      const { vendor, device, description } = adapter.info;
      return {
        info: { vendor, architecture: 'test-hardware', device, description, isFallbackAdapter: false },
        limits: adapter.limits,
        features: adapter.features,
        requestDevice: (descriptor) => adapter.requestDevice(descriptor),
      };
    },
  };
}

describe('webgpu backend selection with a hardware adapter', () => {
  it('is chosen on its own, right after tfjs-node-gpu', async () => {
    const info = await initBackend(undefined, { gpu: await gpuReportingHardware(), logger: { info: () => {}, warn: () => {} } });
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu']);
    expect(info.adapter).toMatchObject({ architecture: 'test-hardware', software: false });
  });
});
