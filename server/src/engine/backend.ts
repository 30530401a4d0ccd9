// Picks the TensorFlow.js backend once at start-up: the first that is installed and works of
// tfjs-node-gpu, tfjs-node, wasm, cpu (webgpu only when asked for). The choice is logged and queryable.
//
// One engine requirement: tfjs-node(-gpu) registers its backend into the @tensorflow/tfjs-core it depends on.
// That must be the very copy the engine imports, so @tensorflow/tfjs-node(-gpu) must be the same version as
// @tensorflow/tfjs-core (4.22.0 here) and npm must dedupe them; selectNative() checks this and says so.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { pino } from 'pino';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Tried in this order when nothing is requested. webgpu is opt-in (experimental in Node). */
const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** What was selected (our name; tfjs-node and tfjs-node-gpu both register as tfjs backend "tensorflow"). */
  readonly name: BackendName;
  /** tf.getBackend() after selection. */
  readonly tfBackend: string;
  /** Requested by argument or TRYON_BACKEND, if any. */
  readonly requested?: BackendName;
  /** wasm only: whether the SIMD binary is in use. */
  readonly simd?: boolean;
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

/** Dawn (the `webgpu` npm package) provides navigator.gpu in Node; tfjs-backend-webgpu then registers. */
async function selectWebgpu(): Promise<void> {
  const dawnSpecifier: string = 'webgpu';
  const backendSpecifier: string = '@tensorflow/tfjs-backend-webgpu';
  const dawn = (await import(dawnSpecifier)) as { create(flags: string[]): unknown; globals: object };
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  g.navigator ??= {};
  g.navigator.gpu ??= dawn.create([]);
  await import(backendSpecifier);
  await activate('webgpu');
}

async function activate(tfName: string): Promise<void> {
  // setBackend resolves false (rather than throwing) when the backend's initialisation fails.
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend("${tfName}") failed`);
  await tf.ready();
  // A backend that initialises but cannot compute is no use: run one tiny op.
  const check = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)).dataSync());
  if (check[0] !== 2 || check[1] !== 3) throw new Error(`backend "${tfName}" computed 1+1=${check[0]}`);
}

async function trySelect(name: BackendName): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> {
  switch (name) {
    case 'tensorflow-gpu':
      await selectNative('@tensorflow/tfjs-node-gpu');
      return { name, tfBackend: tf.getBackend() };
    case 'tensorflow':
      await selectNative('@tensorflow/tfjs-node');
      return { name, tfBackend: tf.getBackend() };
    case 'webgpu':
      await selectWebgpu();
      return { name, tfBackend: tf.getBackend() };
    case 'wasm': {
      // In Node the .wasm binaries load from the package's dist folder; SIMD is chosen when the runtime has it.
      await activate('wasm');
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { name, tfBackend: tf.getBackend(), simd };
    }
    case 'cpu':
      await activate('cpu');
      return { name, tfBackend: tf.getBackend() };
  }
}

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

async function select(requested: BackendName | undefined, opts: InitBackendOptions): Promise<BackendInfo> {
  const logger = opts.logger ?? defaultLogger();
  const order = requested ? [requested, ...AUTO_ORDER.filter((n) => n !== requested)] : AUTO_ORDER;
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of order) {
    try {
      const info: BackendInfo = { ...(await trySelect(name)), requested, skipped };
      const { name: backend, ...details } = info;
      logger.info({ backend, ...details }, `tfjs backend: ${info.name}${info.simd === undefined ? '' : info.simd ? ' (SIMD)' : ' (no SIMD)'}`);
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

/**
 * Selects the backend: `preferred`, else env TRYON_BACKEND, else the first working one of
 * tensorflow-gpu, tensorflow, wasm, cpu. A requested backend that fails falls back down that order
 * (logged) unless `strict`. Idempotent: later calls return the same selection unless they request
 * a different backend, which then switches.
 */
export function initBackend(preferred?: BackendName, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.TRYON_BACKEND;
  let requested: BackendName | undefined;
  try {
    requested = preferred ?? (env ? parseBackendName(env, 'TRYON_BACKEND') : undefined);
  } catch (err) {
    return Promise.reject(err);
  }
  if (pending && (!requested || requested === current?.requested || requested === current?.name)) return pending;
  const previous = pending ?? Promise.resolve(undefined);
  pending = previous
    .catch(() => undefined)
    .then(() => select(requested, opts))
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
