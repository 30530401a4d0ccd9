// Registers @tensorflow/tfjs-backend-webgpu on a device the engine opens itself (tfjs's own factory would take
// whatever adapter comes first, software included), with the adapter's maximum buffer limits, the engine's
// kernel work-arounds, and two guards: device errors are thrown at the next read, and no tensor may be
// given a buffer over the engine's tensor limit (tensor-limit.ts, which backend.ts sets to at most the device's).
import * as tf from '@tensorflow/tfjs-core';
import { maxTensorBytes } from '../tensor-limit.js';
import { registerWebgpuKernelFixes, type TfjsWebgpuModule } from '../kernels/webgpu/index.js';
import { dawnGpu, findAdapter, softwareOnly, type WebgpuAdapterDescription } from './adapter.js';
import { DeviceErrorGuard } from './device-errors.js';
import type { Gpu, GpuAdapter, GpuLimits } from './gpu-types.js';

const BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/** The internals of tfjs-backend-webgpu 4.22's WebGPUBackend that the guards wrap. */
interface WebgpuKernelBackend extends tf.KernelBackend {
  read(dataId: object): Promise<tf.backend_util.BackendValues>;
  bufferManager: { acquireBuffer(size: number, usage: number, ...rest: unknown[]): unknown };
  tensorMap: { get(dataId: object): { resource: unknown } | undefined };
}

interface OpenBackend {
  readonly description: WebgpuAdapterDescription;
  readonly guard: DeviceErrorGuard;
  readonly backend: WebgpuKernelBackend;
}

let open: OpenBackend | undefined;

/** Limits the engine raises from WebGPU's defaults to the adapter's maxima (tfjs's own factory raises these too). */
const RAISED_LIMITS: readonly (keyof GpuLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

export interface OpenWebgpuOptions {
  /** Take a software (fallback) adapter too: only when webgpu was asked for by name. */
  readonly allowSoftware: boolean;
  /** navigator.gpu to use; default Dawn's. Tests pass a wrapper that reports another adapter. */
  readonly gpu?: Gpu;
}

/**
 * Makes tfjs backend "webgpu" available (once per process) and returns its adapter. Throws with the reason
 * when there is no usable adapter or the packages are missing.
 */
export async function openWebgpuBackend(opts: OpenWebgpuOptions): Promise<WebgpuAdapterDescription> {
  if (open !== undefined) {
    if (open.description.software && !opts.allowSoftware) throw softwareOnly(open.description);
    return open.description;
  }
  const gpu = opts.gpu ?? (await dawnGpu());
  const { adapter, description } = await findAdapter(gpu, opts.allowSoftware);
  const device = await adapter.requestDevice({ requiredLimits: raisedLimits(adapter) });
  const guard = new DeviceErrorGuard(device);
  // WebGPUBackend's constructor insists on navigator.gpu (Node 20 has no navigator; 22 has one without gpu).
  const g = globalThis as { navigator?: { gpu?: unknown } };
  g.navigator ??= {};
  g.navigator.gpu ??= gpu;
  const specifier: string = BACKEND_PACKAGE;
  const mod = (await import(specifier)) as TfjsWebgpuModule & {
    WebGPUBackend: new (device: unknown, adapterInfo: unknown) => WebgpuKernelBackend;
  };
  const backend = new mod.WebGPUBackend(device, adapter.info);
  const state: OpenBackend = { description, guard, backend };
  guardReads(state);
  guardBufferSizes(state);
  registerWebgpuKernelFixes(mod, device.limits);
  // tfjs runs convolutions with few output tiles as im2col: a [B·H·W, kh·kw·C] matrix nine times the input's
  // size, which can be over the tensor limit when the input is not. 0 keeps every convolution on the shader
  // that reads the input in place (matrix multiplications ignore 0 and keep their own choice).
  tf.env().set('WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL', 0);
  // The package registered a factory of its own on import (priority 3): replace it with this device's backend.
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend, 1);
  open = state;
  return description;
}

function raisedLimits(adapter: GpuAdapter): Partial<Record<keyof GpuLimits, number>> {
  return Object.fromEntries(RAISED_LIMITS.map((name) => [name, adapter.limits[name]]));
}

/** Every read rejects when the device reported an error since the last read. */
function guardReads(state: OpenBackend): void {
  const read = state.backend.read.bind(state.backend);
  state.backend.read = async (dataId) => {
    const values = await read(dataId);
    state.guard.throwIfFailed();
    return values;
  };
}

/**
 * A storage buffer (a tensor) over the tensor limit fails at once, naming its size, instead of as a Dawn
 * validation error later: the engine chunks its work to that limit, so this catches any tensor it missed, and an
 * artificially low limit (tests) is enforced as strictly as the device's own.
 */
function guardBufferSizes(state: OpenBackend): void {
  const manager = state.backend.bufferManager;
  const acquire = manager.acquireBuffer.bind(manager);
  const storage = (globalThis as unknown as { GPUBufferUsage: { STORAGE: number } }).GPUBufferUsage.STORAGE;
  manager.acquireBuffer = (size, usage, ...rest) => {
    const limit = maxTensorBytes();
    if ((usage & storage) !== 0 && size > limit) throw new Error(`webgpu: a ${size}-byte tensor is over the ${limit}-byte limit on one tensor`);
    return acquire(size, usage, ...rest);
  };
}

/** Whether `t`'s data lives in a device buffer (tfjs keeps small tensors on the CPU). */
export function isOnDevice(t: tf.Tensor): boolean {
  return open !== undefined && open.backend.tensorMap.get(t.dataId)?.resource != null;
}

/** Waits for the device's submitted work and throws any error it reported; resolves at once off webgpu. */
export async function settleWebgpu(): Promise<void> {
  if (open !== undefined && tf.getBackend() === 'webgpu') await open.guard.settle();
}
