// The largest tensor the engine may make, in bytes. A GPU binds each tensor as one storage buffer, and WebGPU
// caps a binding (128 MiB on many adapters, the WebGPU default): SD 1.5's self-attention scores at 64x64
// latents are 512 MiB per image, the VAE decoder's widest activation at 512x512 is 256 MiB, the CLIP token
// embedding 151 MB. Layers that could exceed it work in chunks of this size instead (attention rows, token
// chunks, row bands, weight pieces). Set by backend selection (backend.ts) with the backend it selects, as
// tfjs's own backend is process-wide; Infinity where nothing limits a tensor.

let limitBytes = Infinity;

export function maxTensorBytes(): number {
  return limitBytes;
}

/** Float32 elements in the largest tensor. */
export function maxTensorElements(): number {
  return Math.floor(limitBytes / 4);
}

/** backend.ts only: the selected backend's limit (undefined: none). */
export function setMaxTensorBytes(bytes: number | undefined): void {
  limitBytes = bytes ?? Infinity;
}
