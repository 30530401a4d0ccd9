// Parses and validates a safetensors header (8-byte little-endian length, then JSON), so that a corrupt
// or truncated file is rejected up front with an error naming the file and the tensor, before any read.
import { DTYPE_SIZES, isSafetensorsDtype, type SafetensorsDtype } from './dtypes.js';

export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets relative to the start of the data section, [begin, end). */
  readonly dataOffsets: readonly [number, number];
  /** Absolute position of the first byte in the file. */
  readonly fileOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsHeader {
  readonly headerLength: number;
  readonly dataStart: number;
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Headers of real checkpoints are well under 1 MB; this guards against reading garbage as a length. */
export const MAX_HEADER_LENGTH = 100 * 1024 * 1024;

/** Reads the header length from the first 8 bytes and checks it fits in a file of `fileSize` bytes. */
export function parseHeaderLength(file: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.byteLength < 8) {
    throw new SafetensorsError(file, `file is ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length < 2n || length > BigInt(MAX_HEADER_LENGTH)) {
    throw new SafetensorsError(file, `header length ${length} is not plausible (2..${MAX_HEADER_LENGTH} bytes)`);
  }
  if (length > BigInt(fileSize - 8)) {
    throw new SafetensorsError(file, `header length ${length} runs past the end of the ${fileSize}-byte file (truncated?)`);
  }
  return Number(length);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseEntry(file: string, name: string, raw: unknown, dataStart: number, dataSize: number): SafetensorsEntry {
  const fail = (why: string): never => {
    throw new SafetensorsError(file, `tensor "${name}": ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    return fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    return fail(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] are reversed`);
  if (end > dataSize) fail(`data_offsets [${begin}, ${end}] run past the ${dataSize}-byte data section (truncated?)`);
  const expected = product(shape) * DTYPE_SIZES[dtype];
  if (end - begin !== expected) {
    fail(`holds ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${expected}`);
  }
  return {
    name,
    dtype,
    shape: Object.freeze([...shape]),
    dataOffsets: [begin, end],
    fileOffset: dataStart + begin,
    byteLength: end - begin,
  };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SafetensorsError(file, '__metadata__ is not an object');
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new SafetensorsError(file, `__metadata__.${key} is not a string`);
  }
  return raw as Record<string, string>;
}

/** Parses the JSON header bytes and validates every entry against a file of `fileSize` bytes. */
export function parseHeader(file: string, json: Uint8Array, fileSize: number): SafetensorsHeader {
  const headerLength = json.byteLength;
  const dataStart = 8 + headerLength;
  const dataSize = fileSize - dataStart;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (err) {
    throw new SafetensorsError(file, `header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SafetensorsError(file, 'header is not a JSON object');
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') metadata = parseMetadata(file, value);
    else entries.set(name, parseEntry(file, name, value, dataStart, dataSize));
  }
  checkNoOverlaps(file, [...entries.values()]);
  return { headerLength, dataStart, entries, metadata: Object.freeze(metadata) };
}

function checkNoOverlaps(file: string, entries: SafetensorsEntry[]): void {
  const sorted = entries.filter((e) => e.byteLength > 0).sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (current.dataOffsets[0] < previous.dataOffsets[1]) {
      throw new SafetensorsError(
        file,
        `tensors "${previous.name}" [${previous.dataOffsets.join(', ')}] and "${current.name}" ` +
          `[${current.dataOffsets.join(', ')}] overlap`,
      );
    }
  }
}
