// Picks the TensorFlow.js backend once at start-up: the first that is installed and works of tfjs-node-gpu,
// webgpu on a hardware adapter, tfjs-node, wasm, cpu (a software WebGPU adapter only when webgpu is asked for).
// The choice, with the adapter and the largest tensor the engine may make on it, is logged and queryable.
//
// One engine requirement: tfjs-node(-gpu) registers its backend into the @tensorflow/tfjs-core it depends on.
// That must be the very copy the engine imports, so @tensorflow/tfjs-node(-gpu) must be the same version as
// @tensorflow/tfjs-core (4.22.0 here) and npm must dedupe them; selectNative() checks this and says so.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { pino } from 'pino';
import { formatAdapter, type WebgpuAdapterDescription } from './webgpu/adapter.js';
import { isOnDevice, openWebgpuBackend } from './webgpu/webgpu-backend.js';
import type { Gpu } from './webgpu/gpu-types.js';
import { setMaxTensorBytes } from './tensor-limit.js';
import { useStockWasm, useThreadedWasm, wasmThreads } from './wasm/threaded-wasm.js';
import { registerWasmBatchMatMul } from './kernels/batch-matmul.js';
import { registerWasmSlice } from './kernels/slice.js';
import os from 'node:os';

// Multi-head attention's products off wasm's scalar loop, and slices without a copy of their whole input,
// whichever way the wasm backend gets selected.
registerWasmBatchMatMul();
registerWasmSlice();

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Tried in this order when nothing is requested; webgpu is taken here only on a hardware adapter. */
const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** What was selected (our name; tfjs-node and tfjs-node-gpu both register as tfjs backend "tensorflow"). */
  readonly name: BackendName;
  /** tf.getBackend() after selection. */
  readonly tfBackend: string;
  /** Requested by argument or TRYON_BACKEND, if any. */
  readonly requested?: BackendName;
  /** wasm only: whether the SIMD binary is in use. */
  readonly simd?: boolean;
  /** wasm only: XNNPACK's threads (1: the single-threaded build). */
  readonly threads?: number;
  /** webgpu only: the adapter (vendor, architecture, limits). */
  readonly adapter?: WebgpuAdapterDescription;
  /**
   * The largest tensor, in bytes, the engine makes (it chunks attention, VAE activations and weights to stay
   * under it): the setting (maxTensorBytes, TRYON_MAX_TENSOR_BYTES) and on webgpu the device's binding and
   * buffer limits, whichever is smaller. Absent: no limit.
   */
  readonly maxTensorBytes?: number;
  /** Backends tried before this one, and why each failed. */
  readonly skipped: readonly { name: BackendName; reason: string }[];
}

export interface BackendLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface InitBackendOptions {
  /** Fail instead of falling back when the requested backend does not work. */
  strict?: boolean;
  logger?: BackendLogger;
  /** Lowers the largest tensor the engine makes (default: env TRYON_MAX_TENSOR_BYTES, else unlimited). */
  maxTensorBytes?: number;
  /** navigator.gpu for webgpu; default Dawn's (tests pass one that reports another adapter). */
  gpu?: Gpu;
  /** XNNPACK threads on wasm (default: env TRYON_WASM_THREADS, else every core); 1: the single-threaded build. */
  wasmThreads?: number;
}

export function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${source} must be one of ${BACKEND_NAMES.join(', ')}, got "${value}"`);
}

let sharedLogger: BackendLogger | undefined;
/** Logs to stderr so that CLIs printing results on stdout stay clean. */
const defaultLogger = (): BackendLogger => (sharedLogger ??= pino({ name: 'engine.backend' }, pino.destination(2)));

/** Imports the optional tfjs-node package and checks it registered into our tfjs-core. */
async function selectNative(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<void> {
  // A variable specifier keeps TypeScript from requiring the optional package's types at compile time.
  const specifier: string = pkg;
  await import(specifier);
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(
      `${pkg} loaded but registered its backend into another copy of @tensorflow/tfjs-core; ` +
        `install ${pkg} at the same version as @tensorflow/tfjs-core (${tf.version_core}) so npm dedupes them`,
    );
  }
  await activate('tensorflow');
}

async function activate(tfName: string): Promise<void> {
  // setBackend resolves false (rather than throwing) when the backend's initialisation fails.
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend("${tfName}") failed`);
  await tf.ready();
  await checkComputes(tfName);
}

/**
 * A backend that initialises but cannot compute is no use: run one kernel and read it back. 4096 elements:
 * tfjs-backend-webgpu computes inputs under 1000 elements on the CPU, which would prove nothing about the device.
 */
async function checkComputes(tfName: string): Promise<void> {
  const n = 4096;
  const x = tf.range(0, n, 1, 'float32');
  const y = tf.add(x, x);
  try {
    if (tfName === 'webgpu' && !isOnDevice(y)) throw new Error('webgpu: the check kernel did not run on the device');
    const values = await y.data();
    const wrong = values.findIndex((v, i) => v !== 2 * i);
    if (wrong >= 0) throw new Error(`backend "${tfName}" computed ${wrong}+${wrong}=${values[wrong]}`);
  } finally {
    tf.dispose([x, y]);
  }
}

async function trySelect(name: BackendName, requested: BackendName | undefined, opts: InitBackendOptions): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> {
  switch (name) {
    case 'tensorflow-gpu':
      await selectNative('@tensorflow/tfjs-node-gpu');
      return { name, tfBackend: tf.getBackend() };
    case 'tensorflow':
      await selectNative('@tensorflow/tfjs-node');
      return { name, tfBackend: tf.getBackend() };
    case 'webgpu': {
      const adapter = await openWebgpuBackend({ allowSoftware: requested === 'webgpu', gpu: opts.gpu });
      await activate('webgpu');
      return { name, tfBackend: tf.getBackend(), adapter };
    }
    case 'wasm': {
      // In Node the .wasm binaries load from the package's dist folder; SIMD is chosen when the runtime has it.
      // Several threads need the threaded SIMD build (threaded-wasm.ts); without SIMD it does not exist.
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = opts.wasmThreads ?? os.availableParallelism();
      if (simd && threads > 1 && useThreadedWasm(threads)) {
        try {
          await activate('wasm');
        } catch (err) {
          // Workers that cannot start (a locked-down runtime) must not cost the backend: one thread still works.
          useStockWasm();
          opts.logger?.warn({ err: (err as Error).message }, 'threaded wasm did not start; using the single-threaded build');
          await activate('wasm');
        }
      } else {
        await activate('wasm');
      }
      return { name, tfBackend: tf.getBackend(), simd, threads: wasmThreads() };
    }
    case 'cpu':
      await activate('cpu');
      return { name, tfBackend: tf.getBackend() };
  }
}

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
/** The tensor byte limit the pending selection was asked for. */
let limitSetting: number | undefined;

async function select(requested: BackendName | undefined, opts: InitBackendOptions): Promise<BackendInfo> {
  const logger = opts.logger ?? defaultLogger();
  const order = requested ? [requested, ...AUTO_ORDER.filter((n) => n !== requested)] : AUTO_ORDER;
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of order) {
    try {
      const selected = await trySelect(name, requested, opts);
      const maxTensorBytes = tensorLimit(selected.adapter, opts.maxTensorBytes);
      const info: BackendInfo = { ...selected, requested, skipped, ...(maxTensorBytes === undefined ? {} : { maxTensorBytes }) };
      setMaxTensorBytes(maxTensorBytes);
      const { name: backend, ...details } = info;
      logger.info({ backend, ...details }, `tfjs backend: ${describe(info)}`);
      if (requested && name !== requested) {
        logger.warn({ requested, reason: skipped[0]?.reason }, `requested backend ${requested} unavailable`);
      }
      return info;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (requested === name && opts.strict) throw new Error(`backend ${name} does not work here: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no tfjs backend works: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

function describe(info: BackendInfo): string {
  const threads = info.threads === undefined ? '' : `, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const simd = info.simd === undefined ? '' : info.simd ? ` (SIMD${threads})` : ` (no SIMD${threads})`;
  const adapter = info.adapter === undefined ? '' : ` on ${formatAdapter(info.adapter)}`;
  const limit = info.maxTensorBytes === undefined ? '' : `, tensors up to ${info.maxTensorBytes} bytes`;
  return `${info.name}${simd}${adapter}${limit}`;
}

/** The smaller of the setting and, on webgpu, the device's binding and buffer limits; undefined: none. */
function tensorLimit(adapter: WebgpuAdapterDescription | undefined, setting: number | undefined): number | undefined {
  const limits = [setting, adapter?.maxStorageBufferBindingSize, adapter?.maxBufferSize].filter((v): v is number => v !== undefined);
  return limits.length === 0 ? undefined : Math.min(...limits);
}

/** A whole-number environment setting of at least `min` (`what` says its unit in the error), or undefined when unset. */
function wholeNumberFromEnv(name: string, min: number, what: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be a whole number${what}, at least ${min}, got "${value}"`);
  return n;
}

/**
 * Selects the backend: `preferred`, else env TRYON_BACKEND, else the first working one of tensorflow-gpu,
 * webgpu (hardware adapter), tensorflow, wasm, cpu. A requested backend that fails falls back down that
 * order (logged) unless `strict`. Idempotent: later calls return the same selection unless they request a
 * different backend or tensor limit, which then switches.
 */
export function initBackend(preferred?: BackendName, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.TRYON_BACKEND;
  let requested: BackendName | undefined;
  let limit: number | undefined;
  try {
    requested = preferred ?? (env ? parseBackendName(env, 'TRYON_BACKEND') : undefined);
    limit = opts.maxTensorBytes ?? wholeNumberFromEnv('TRYON_MAX_TENSOR_BYTES', 1024, ' of bytes');
    opts = { ...opts, wasmThreads: opts.wasmThreads ?? wholeNumberFromEnv('TRYON_WASM_THREADS', 1, '') };
  } catch (err) {
    return Promise.reject(err);
  }
  const sameLimit = opts.maxTensorBytes === undefined || opts.maxTensorBytes === limitSetting;
  if (pending && sameLimit && (!requested || requested === current?.requested || requested === current?.name)) return pending;
  const previous = pending ?? Promise.resolve(undefined);
  limitSetting = limit;
  pending = previous
    .catch(() => undefined)
    .then(() => select(requested, { ...opts, maxTensorBytes: limit }))
    .then((info) => (current = info));
  // A failed selection must not be cached forever: the next call tries again.
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/** The selected backend; throws if initBackend has not completed. */
export function currentBackend(): BackendInfo {
  if (!current) throw new Error('no tfjs backend selected yet: await initBackend() first');
  return current;
}

/** The kernels of `kernelNames` that `backend` (a tfjs backend name, e.g. "wasm") has no implementation for. */
export function missingKernels(backend: string, kernelNames: readonly string[]): string[] {
  return kernelNames.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
}
