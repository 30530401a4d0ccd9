// safetensors writer: streams tensor by tensor into a temporary file beside the target, fsyncs, then renames,
// so a crash or a bad tensor never leaves a half-written checkpoint under the real name.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { DTYPE_SIZES, type SafetensorsDtype } from './dtypes.js';
import { encodeBF16, encodeF16, encodeI64 } from './encode.js';
import { SafetensorsError } from './header.js';

export interface WriteOptions {
  /** How float32 tensors are stored (default F32). */
  floatDtype?: 'F32' | 'F16' | 'BF16';
  /** How int32 tensors are stored (default I32; I64 is what PyTorch writes for ids and timesteps). */
  intDtype?: 'I32' | 'I64';
}

export type TensorsToWrite = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

function storedDtype(file: string, name: string, t: tf.Tensor, opts: WriteOptions): SafetensorsDtype {
  switch (t.dtype) {
    case 'float32':
      return opts.floatDtype ?? 'F32';
    case 'int32':
      return opts.intDtype ?? 'I32';
    case 'bool':
      return 'BOOL';
    default:
      throw new SafetensorsError(file, `tensor "${name}": dtype ${t.dtype} cannot be written`);
  }
}

function encode(dtype: SafetensorsDtype, values: tf.TypedArray): Uint8Array {
  switch (dtype) {
    case 'F16':
      return encodeF16(values as Float32Array);
    case 'BF16':
      return encodeBF16(values as Float32Array);
    case 'I64':
      return encodeI64(values as Int32Array);
    default:
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
}

/** Builds the header JSON, padded with spaces to a multiple of 8 bytes as the reference writer does. */
function buildHeader(
  entries: { name: string; dtype: SafetensorsDtype; shape: number[] }[],
  metadata: Record<string, string> | undefined,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, dtype, shape } of entries) {
    const length = shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[dtype];
    header[name] = { dtype, shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/**
 * Writes `tensors` (any layout; normally PyTorch layout so other tools can read the file) to `path`
 * atomically. Tensors are read back from the backend one at a time; none is disposed.
 */
export async function writeSafetensors(
  path: string,
  tensors: TensorsToWrite,
  metadata?: Record<string, string>,
  opts: WriteOptions = {},
): Promise<void> {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors as Record<string, tf.Tensor>);
  const entries = list.map(([name, t]) => ({ name, tensor: t, dtype: storedDtype(path, name, t, opts), shape: t.shape }));
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsError(path, `metadata "${key}" must be a string`);
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx');
  } catch (err) {
    throw new SafetensorsError(path, `cannot create (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let ok = false;
  try {
    const header = buildHeader(entries, metadata);
    await handle.write(header);
    for (const { tensor, dtype } of entries) {
      await handle.write(encode(dtype, await tensor.data()));
    }
    await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await unlink(temp).catch(() => undefined);
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable; not every platform lets a directory be fsynced, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only.
  }
}
