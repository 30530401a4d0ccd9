// Finds the WebGPU adapter the engine may run on. Dawn (the optional `webgpu` npm package, whose native part
// ships inside it) provides navigator.gpu in Node over the host's Vulkan driver. A software adapter (Mesa's
// lavapipe, a CPU rasteriser) is slower than wasm for real models, so it is only taken when asked for.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Gpu, GpuAdapter } from './gpu-types.js';

const DAWN_PACKAGE = 'webgpu';

/** Which adapter runs the engine: logged at start-up and reported by ListModels. */
export interface WebgpuAdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A fallback (CPU) adapter such as lavapipe. */
  readonly software: boolean;
  /** The adapter's maxima, which the engine requests for its device. */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

let dawn: Promise<Gpu> | undefined;

/** Dawn's navigator.gpu, created once per process; also installs the WebGPU globals tfjs-backend-webgpu reads. */
export function dawnGpu(): Promise<Gpu> {
  dawn ??= (async () => {
    // A variable specifier keeps TypeScript from requiring the optional package at compile time.
    const specifier: string = DAWN_PACKAGE;
    const mod = (await import(specifier)) as { create(flags: string[]): Gpu; globals: object };
    Object.assign(globalThis, mod.globals);
    return mod.create([]);
  })();
  dawn.catch(() => {
    dawn = undefined;
  });
  return dawn;
}

export function describeAdapter(adapter: GpuAdapter): WebgpuAdapterDescription {
  const { info, limits } = adapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
  };
}

/** One line for logs: "nvidia ampere (NVIDIA A10G), 2048 MiB per binding". */
export function formatAdapter(a: WebgpuAdapterDescription): string {
  const name = [a.vendor, a.architecture].filter((s) => s.length > 0).join(' ') || 'unknown adapter';
  const detail = a.description || a.device;
  const mib = Math.floor(a.maxStorageBufferBindingSize / 2 ** 20);
  return `${name}${detail ? ` (${detail})` : ''}${a.software ? ' [software adapter]' : ''}, ${mib} MiB per binding`;
}

/**
 * The adapter to run on. Throws with the reason when there is none (Dawn's own words) or when only a software
 * adapter exists and `allowSoftware` is false.
 */
export async function findAdapter(gpu: Gpu, allowSoftware: boolean): Promise<{ adapter: GpuAdapter; description: WebgpuAdapterDescription }> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error(`no WebGPU adapter: ${dawnDiagnosis()}`);
  const description = describeAdapter(adapter);
  if (description.software && !allowSoftware) throw softwareOnly(description);
  return { adapter, description };
}

/** Why a software adapter is passed by when the backend is chosen automatically. */
export function softwareOnly(description: WebgpuAdapterDescription): Error {
  return new Error(`only a software WebGPU adapter: ${formatAdapter(description)}; TRYON_BACKEND=webgpu runs on it`);
}

/**
 * Why Dawn found no adapter, in its own words. Dawn writes them (e.g. "vkCreateInstance: Found no drivers!")
 * from native code straight to the process's stderr, where JavaScript cannot catch them, so the same request
 * runs again in a child process whose output is kept.
 */
export function dawnDiagnosis(env: NodeJS.ProcessEnv = process.env): string {
  const url = pathToFileURL(createRequire(import.meta.url).resolve(DAWN_PACKAGE)).href;
  const script = `const { create } = await import(${JSON.stringify(url)});
    const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    console.log(adapter ? 'an adapter was found this time' : '');`;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 30_000 });
  const lines = `${probe.stderr ?? ''}\n${probe.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('at ') && !/artificially reduced/.test(l));
  if (probe.error) lines.push(probe.error.message);
  return lines.length > 0 ? lines.join('; ') : 'Dawn gave no reason (no Vulkan driver installed?)';
}
