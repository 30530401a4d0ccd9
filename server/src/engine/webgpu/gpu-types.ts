// The slice of the WebGPU API the engine touches, typed here: TypeScript's DOM library has no WebGPU types,
// and the `webgpu` package (Dawn) is optional, so its own type package cannot be assumed installed.

export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Newer Dawn reports fallback (software) adapters here; older builds on the adapter itself. */
  readonly isFallbackAdapter?: boolean;
}

/** The limits the engine reads or raises; WebGPU names. */
export interface GpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
}

export interface GpuError {
  readonly message: string;
}

export interface GpuDevice extends EventTarget {
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  readonly lost: Promise<{ readonly reason: string; readonly message: string }>;
  readonly queue: { onSubmittedWorkDone(): Promise<void> };
  destroy(): void;
}

export interface GpuAdapter {
  readonly info: GpuAdapterInfo;
  readonly isFallbackAdapter?: boolean;
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor: { requiredLimits?: Partial<Record<keyof GpuLimits, number>>; requiredFeatures?: string[] }): Promise<GpuDevice>;
}

export interface GpuRequestAdapterOptions {
  powerPreference?: 'low-power' | 'high-performance';
  forceFallbackAdapter?: boolean;
}

/** navigator.gpu: what Dawn's create() returns. */
export interface Gpu {
  requestAdapter(options?: GpuRequestAdapterOptions): Promise<GpuAdapter | null>;
}
