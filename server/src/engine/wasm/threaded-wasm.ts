// The wasm backend with XNNPACK on several threads, in Node. tfjs-backend-wasm ships the threaded SIMD build
// but never uses it in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag answers false there, tfjs issue #3830),
// and its loader would hand Emscripten a blob: URL for the pthread worker, which Node's worker_threads cannot
// open. The Emscripten glue itself supports Node: this module instantiates it with a worker script written
// to a file and registers it as the "wasm" backend, so every wasm kernel runs unchanged on it.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** What BackendWasm expects on the Emscripten module (as tfjs-backend-wasm's own init() builds it). */
interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
  /** Emscripten's pthread bookkeeping (Node: worker_threads Workers). */
  PThread?: { runningWorkers: { unref(): void }[] };
}

type Factory = (config: Record<string, unknown>) => PromiseLike<EmscriptenModule>;

/** The pthread worker script as a file: its source is shipped as a string (for a Blob in browsers). */
function workerScript(packageDir: string): string {
  const { wasmWorkerContents } = require(path.join(packageDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // A private folder (a fixed name in a shared tmp could be planted by another user), removed at exit.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfjs-wasm-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'threaded-simd.worker.cjs');
  // The string holds the script's "\n" escapes as real newlines (tfjs escapes them back before making its Blob).
  writeFileSync(file, wasmWorkerContents.replace(/\n/g, '\\n'));
  return file;
}

/**
 * Instantiates the threaded SIMD module. XNNPACK's pool size is fixed when the module starts: tfjs takes half
 * the logical cores (it assumes two hyper-threads per core) capped by the requested count, so the core count
 * Emscripten reads (os.cpus() in Node) is reported as 2 x threads while the module starts.
 */
async function instantiate(threads: number): Promise<{ module: EmscriptenModule }> {
  const packageDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = path.join(packageDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as Factory;
  const worker = workerScript(packageDir);
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  // The glue picks up worker_threads.Worker as it starts (and keeps it for workers it adds later). Its worker
  // script is plain CommonJS: it must not inherit this process's flags (a TypeScript loader, or `-e` code,
  // which would run again in every worker).
  const { Worker } = workerThreads;
  workerThreads.Worker = class PthreadWorker extends Worker {
    constructor(file: string | URL, options: WorkerOptions = {}) {
      super(file, { ...options, execArgv: [] });
    }
  };
  try {
    return await new Promise<{ module: EmscriptenModule }>((resolve, reject) => {
      const pending = factory({
        locateFile: (file: string, prefix: string) =>
          file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? path.join(packageDir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm') : prefix + file,
        // The pthread workers load the glue from this path (importScripts reads it with fs in Node).
        mainScriptUrlOrBlob: mainScript,
        onAbort: (what: unknown) => reject(new Error(`threaded wasm module aborted: ${String(what)}`)),
      });
      // Wrapped: the Emscripten module may be a thenable, and a promise resolved with one adopts it.
      pending.then((module) => resolve({ module }), reject);
    });
  } finally {
    os.cpus = cpus;
    workerThreads.Worker = Worker;
  }
}

/** As tfjs-backend-wasm's init() wires the module for BackendWasm. */
function wire(module: EmscriptenModule): EmscriptenModule {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
let threadedCount: number | undefined;

/**
 * Makes the threaded build, with `threads` XNNPACK threads, the "wasm" backend (replacing tfjs-backend-wasm's
 * single-threaded factory) unless the wasm backend is already running, whose build and thread count stay as
 * they are (XNNPACK's pool is fixed at start). `tf.setBackend('wasm')` then starts it. Whether it was installed.
 */
export function useThreadedWasm(threads: number): boolean {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm threads must be a whole number of at least 1, got ${threads}`);
  if (threadedCount === threads) return true;
  if (tf.engine().registry.wasm !== undefined) return false;
  stockFactory ??= tf.findBackendFactory('wasm') ?? undefined;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    setThreadsCount(threads);
    const { module } = await instantiate(threads);
    const backend = new BackendWasm(wire(module) as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    // XNNPACK's pool threads (started by the constructor) live as long as the module, and Emscripten keeps a
    // running pthread's worker referenced: unreferenced, they no longer hold a finished process open.
    for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
    return backend;
  }, WASM_PRIORITY);
  threadedCount = threads;
  return true;
}

/** Back to tfjs-backend-wasm's own single-threaded factory (after the threaded one failed to start). */
export function useStockWasm(): void {
  if (stockFactory === undefined) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockFactory, WASM_PRIORITY);
  threadedCount = undefined;
}

/** tfjs-backend-wasm's registration priority. */
const WASM_PRIORITY = 2;

/** XNNPACK's thread count of the running wasm backend. */
export function wasmThreads(): number {
  return getThreadsCount();
}
