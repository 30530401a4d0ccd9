// The webgpu backend on this machine's software Vulkan driver (Mesa's lavapipe; scripts/install-system-deps.sh
// installs it): never chosen on its own, chosen by name, checked on the device, and loud about device errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, type BackendLogger } from '../../src/engine/backend.js';
import { registerCaseHandler } from '../../src/engine/conformance/registry.js';
import { formatResult, runConformance } from '../../src/engine/conformance/runner.js';
import { dawnDiagnosis, findAdapter } from '../../src/engine/webgpu/adapter.js';
import { WebgpuDeviceError } from '../../src/engine/webgpu/device-errors.js';
import type { GpuDevice } from '../../src/engine/webgpu/gpu-types.js';
import { settleWebgpu } from '../../src/engine/webgpu/webgpu-backend.js';

function recordingLogger(): BackendLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_obj, msg) => lines.push(msg), warn: (_obj, msg) => lines.push(msg) };
}

/** A shader that does not compile: WebGPU reports it as an uncaptured validation error, not an exception. */
function makeDeviceError(): void {
  const device = (tf.backend() as unknown as { device: GpuDevice & { createShaderModule(d: { code: string }): unknown } }).device;
  device.createShaderModule({ code: 'fn main( {' });
}

afterEach(() => {
  delete process.env.TRYON_BACKEND;
});

describe('webgpu backend selection without a hardware adapter', () => {
  it('passes the software adapter by when choosing on its own, and says so', async () => {
    const info = await initBackend(undefined, { logger: recordingLogger() });
    expect(info.name).toBe('wasm');
    const webgpu = info.skipped.find((s) => s.name === 'webgpu');
    expect(webgpu?.reason).toMatch(/^only a software WebGPU adapter: mesa .*llvmpipe.*; TRYON_BACKEND=webgpu runs on it$/);
  });

  it('runs on the software adapter when asked for by name, reporting the adapter and its limits', async () => {
    process.env.TRYON_BACKEND = 'webgpu';
    const logger = recordingLogger();
    const info = await initBackend(undefined, { strict: true, logger });
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toMatchObject({ vendor: 'mesa', architecture: 'software', software: true });
    expect(info.adapter?.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(info.maxTensorBytes).toBe(Math.min(info.adapter!.maxStorageBufferBindingSize, info.adapter!.maxBufferSize));
    expect(logger.lines).toEqual([expect.stringMatching(/^tfjs backend: webgpu on mesa software \(llvmpipe.*\) \[software adapter\], \d+ MiB per binding, tensors up to \d+ bytes$/)]);
  });

  it('checks the backend by running a kernel on the device and reading it back', async () => {
    await initBackend('cpu', { strict: true, logger: recordingLogger() });
    const proto = (globalThis as unknown as { GPUBuffer: { prototype: { mapAsync: (...args: unknown[]) => Promise<void> } } }).GPUBuffer.prototype;
    const mapAsync = proto.mapAsync;
    let readbacks = 0;
    proto.mapAsync = function (this: unknown, ...args: unknown[]) {
      readbacks++;
      return mapAsync.apply(this, args);
    };
    try {
      await initBackend('webgpu', { strict: true, logger: recordingLogger() });
    } finally {
      proto.mapAsync = mapAsync;
    }
    expect(readbacks).toBeGreaterThanOrEqual(1);
  });

  it('explains a missing adapter in Dawn\'s own words', async () => {
    const noDriver = { ...process.env, VK_ICD_FILENAMES: '/nonexistent.json', VK_DRIVER_FILES: '/nonexistent.json' };
    expect(dawnDiagnosis(noDriver)).toMatch(/vkCreateInstance.*(Found no drivers|VK_ERROR_INCOMPATIBLE_DRIVER)/);
    await expect(findAdapter({ requestAdapter: async () => null }, true)).rejects.toThrow(/^no WebGPU adapter: /);
  });
});

describe('uncaptured WebGPU errors', () => {
  it('fail the next read, and only that one, instead of returning zeros', async () => {
    await initBackend('webgpu', { strict: true, logger: recordingLogger() });
    const x = tf.range(0, 4096, 1, 'float32');
    const y = tf.mul(x, 2);
    makeDeviceError();
    await expect(y.data()).rejects.toThrow(/^WebGPU error: .*parsing WGSL/);
    expect((await tf.sum(y).data())[0]).toBe(4095 * 4096);
    tf.dispose([x, y]);
  });

  it('fail settleWebgpu when nothing is read', async () => {
    makeDeviceError();
    await expect(settleWebgpu()).rejects.toBeInstanceOf(WebgpuDeviceError);
    await expect(settleWebgpu()).resolves.toBeUndefined();
  });

  it('fail a conformance case whose own checks all passed', async () => {
    registerCaseHandler('device_error_probe', async () => {
      makeDeviceError();
      return [{ name: 'values', maxAbsError: 0, pass: true, tolerance: { atol: 0, rtol: 0 } }];
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'webgpu-error-'));
    try {
      const probe = { id: 'probe', type: 'device_error_probe', inputs: {}, expected: {} };
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, cases: [probe] }));
      const summary = await runConformance(dir);
      expect(summary.failed).toBe(1);
      expect(formatResult(summary.results[0])).toMatch(/^FAIL .*WebGPU error: .*parsing WGSL/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
