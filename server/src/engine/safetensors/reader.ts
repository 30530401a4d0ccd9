// Streaming safetensors reader: the header is validated once at open, then each tensor is read on its own
// at its file offset, so a file larger than one Buffer (SD 1.5 fp32 is over 4 GB) never sits in memory whole.
import { open, type FileHandle } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightMap } from '../types.js';
import { decodeBytes, decodedDtype, DtypeDecodeError } from './dtypes.js';
import { parseHeader, parseHeaderLength, SafetensorsError, type SafetensorsEntry } from './header.js';

export { SafetensorsError, type SafetensorsEntry } from './header.js';
export type { SafetensorsDtype } from './dtypes.js';

/** A tensor's decoded values without a tf.Tensor around them (for conversion code and tests). */
export interface DecodedTensor {
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly shape: number[];
  readonly values: Float32Array | Int32Array | Uint8Array;
}

async function readExactly(handle: FileHandle, file: string, length: number, position: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(file, `unexpected end of file at byte ${position + done} (file changed or truncated?)`);
    }
    done += bytesRead;
  }
  return bytes;
}

export class SafetensorsFile {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Opens and validates the header; throws SafetensorsError naming the file on any inconsistency. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new SafetensorsError(path, `cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new SafetensorsError(path, 'not a regular file');
      const size = stats.size;
      const prefix = await readExactly(handle, path, Math.min(8, size), 0);
      const headerLength = parseHeaderLength(path, prefix, size);
      const json = await readExactly(handle, path, headerLength, 8);
      const header = parseHeader(path, json, size);
      return new SafetensorsFile(path, handle, header.entries, header.metadata);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  private entry(name: string): SafetensorsEntry {
    if (this.closed) throw new SafetensorsError(this.path, `read of "${name}" after close()`);
    const entry = this.entries.get(name);
    if (!entry) throw new SafetensorsError(this.path, `no tensor named "${name}"`);
    return entry;
  }

  /** The raw stored bytes of one tensor (little-endian, in the stored dtype). */
  async readBytes(name: string): Promise<Uint8Array> {
    const entry = this.entry(name);
    return readExactly(this.handle, this.path, entry.byteLength, entry.fileOffset);
  }

  /** One tensor decoded to float32 / int32 / bool values. */
  async readDecoded(name: string): Promise<DecodedTensor> {
    const entry = this.entry(name);
    const dtype = decodedDtype(entry.dtype);
    if (!dtype) throw new SafetensorsError(this.path, `tensor "${name}": dtype ${entry.dtype} is not supported`);
    const bytes = await this.readBytes(name);
    try {
      return { dtype, shape: [...entry.shape], values: decodeBytes(entry.dtype, bytes) };
    } catch (err) {
      if (err instanceof DtypeDecodeError) throw new SafetensorsError(this.path, `tensor "${name}": ${err.message}`);
      throw err;
    }
  }

  /** One tensor as a tf.Tensor in its stored (PyTorch) layout; the caller owns it. */
  async readTensor(name: string): Promise<tf.Tensor> {
    const { dtype, shape, values } = await this.readDecoded(name);
    return tf.tensor(values, shape, dtype);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

export interface LoadOptions {
  /** Only tensors whose name passes are read (e.g. one sub-model of a single-file checkpoint). */
  filter?: (name: string) => boolean;
}

/** Reads a whole safetensors file (or the filtered part) into a WeightMap, tensor by tensor. */
export async function loadSafetensors(path: string, opts: LoadOptions = {}): Promise<WeightMap> {
  const file = await SafetensorsFile.open(path);
  const weights: WeightMap = new Map();
  try {
    for (const name of file.entries.keys()) {
      if (opts.filter && !opts.filter(name)) continue;
      weights.set(name, await file.readTensor(name));
    }
    return weights;
  } catch (err) {
    for (const t of weights.values()) t.dispose();
    throw err;
  } finally {
    await file.close();
  }
}

/** Disposes every tensor of a WeightMap and empties it. */
export function disposeWeights(weights: WeightMap): void {
  for (const t of weights.values()) t.dispose();
  weights.clear();
}
