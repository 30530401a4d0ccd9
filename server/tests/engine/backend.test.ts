import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentBackend,
  initBackend,
  missingKernels,
  parseBackendName,
  type BackendLogger,
} from '../../src/engine/backend.js';

function recordingLogger(): BackendLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_obj, msg) => lines.push(`info ${msg}`), warn: (_obj, msg) => lines.push(`warn ${msg}`) };
}

describe('initBackend', () => {
  afterEach(() => {
    delete process.env.TRYON_BACKEND;
    delete process.env.TRYON_WASM_THREADS;
  });

  // XNNPACK runs on every core by default (threaded-wasm.ts): 2 on the development machine.
  const cores = os.availableParallelism();
  const wasmLine = `info tfjs backend: wasm (SIMD, ${cores} thread${cores === 1 ? '' : 's'})`;

  it('refuses a bad TRYON_WASM_THREADS before selecting anything', async () => {
    process.env.TRYON_WASM_THREADS = 'many';
    await expect(initBackend('wasm', { logger: recordingLogger() })).rejects.toThrow(/TRYON_WASM_THREADS must be a whole number, at least 1, got "many"/);
  });

  it('selects wasm with SIMD on every core when asked, logs it, and is idempotent', async () => {
    const logger = recordingLogger();
    const info = await initBackend('wasm', { strict: true, logger });
    expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm', simd: true, threads: cores, requested: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(logger.lines).toEqual([wasmLine]);
    expect(await initBackend('wasm', { logger })).toBe(info);
    expect(await initBackend(undefined, { logger })).toBe(info);
    expect(logger.lines).toHaveLength(1);
    expect(currentBackend()).toBe(info);
  });

  it('falls back down the order past the native backends that are not installed', async () => {
    // Switch away first so the automatic selection really runs again.
    await initBackend('cpu', { strict: true, logger: recordingLogger() });
    process.env.TRYON_BACKEND = 'tensorflow-gpu';
    const logger = recordingLogger();
    const info = await initBackend(undefined, { logger });
    expect(info.name).toBe('wasm');
    // webgpu is tried second; this machine has no hardware adapter (backend-webgpu.test.ts has the reasons).
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
    expect(info.skipped[0].reason).toMatch(/tfjs-node-gpu/);
    expect(logger.lines).toEqual([wasmLine, 'warn requested backend tensorflow-gpu unavailable']);
  });

  it('honours TRYON_BACKEND and switches backends on a different request', async () => {
    process.env.TRYON_BACKEND = 'cpu';
    const info = await initBackend(undefined, { logger: recordingLogger() });
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', requested: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    const back = await initBackend('wasm', { logger: recordingLogger() });
    expect(back.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails clearly on a strict request that cannot be met and on a bad name', async () => {
    await expect(initBackend('tensorflow', { strict: true, logger: recordingLogger() })).rejects.toThrow(
      /backend tensorflow does not work here: .*tfjs-node/,
    );
    process.env.TRYON_BACKEND = 'gpu-please';
    await expect(initBackend(undefined, { logger: recordingLogger() })).rejects.toThrow(
      /TRYON_BACKEND must be one of tensorflow-gpu, tensorflow, wasm, cpu, webgpu, got "gpu-please"/,
    );
    expect(() => parseBackendName('WASM', '--backend')).toThrow(/--backend must be one of/);
  });
});

describe('missingKernels', () => {
  it('lists the kernels a backend has no implementation for', () => {
    expect(missingKernels('wasm', ['Conv2D', 'BatchMatMul', 'NoSuchKernel'])).toEqual(['NoSuchKernel']);
    expect(missingKernels('cpu', ['Conv2D', 'Erf'])).toEqual([]);
  });
});
