// safetensors dtypes: byte sizes and decoding of raw little-endian bytes into what tfjs can hold.
// tfjs-core has no float16/int64 dtypes, so half floats widen to float32 and 64-bit ints narrow to int32.

/** Every dtype the safetensors format defines, with its size in bytes. */
export const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_SIZES;

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_SIZES, value);
}

/** The tfjs dtype a stored dtype decodes to, or undefined where we cannot decode it. */
export function decodedDtype(dtype: SafetensorsDtype): 'float32' | 'int32' | 'bool' | undefined {
  switch (dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
    case 'F64':
      return 'float32';
    case 'I32':
    case 'I64':
    case 'I16':
    case 'U16':
    case 'I8':
    case 'U8':
      return 'int32';
    case 'BOOL':
      return 'bool';
    default:
      return undefined;
  }
}

let halfTable: Float32Array | undefined;

/** All 65,536 half-float bit patterns as float32: exact, and faster than bit twiddling per element. */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

export class DtypeDecodeError extends Error {}

/**
 * Decodes `bytes` (exactly count × size, little-endian; `bytes.byteOffset` must be a multiple of 8)
 * into a typed array tfjs accepts. 64-bit integers outside the int32 range are an error, not a wrap.
 */
export function decodeBytes(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array | Int32Array | Uint8Array {
  const buffer = bytes.buffer;
  const offset = bytes.byteOffset;
  const count = bytes.byteLength / DTYPE_SIZES[dtype];
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, offset, count);
    case 'I32':
      return new Int32Array(buffer, offset, count);
    case 'F16': {
      const table = halfToFloatTable();
      const halves = new Uint16Array(buffer, offset, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[halves[i]];
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits into place.
      const halves = new Uint16Array(buffer, offset, count);
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'F64':
      return Float32Array.from(new Float64Array(buffer, offset, count));
    case 'I64': {
      const words = new Int32Array(buffer, offset, count * 2);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const low = words[2 * i];
        const high = words[2 * i + 1];
        // In range exactly when the high word is the sign extension of the low word.
        if (high !== (low < 0 ? -1 : 0)) {
          throw new DtypeDecodeError(`I64 value at index ${i} does not fit in int32 (tfjs has no int64)`);
        }
        out[i] = low;
      }
      return out;
    }
    case 'I16':
      return Int32Array.from(new Int16Array(buffer, offset, count));
    case 'U16':
      return Int32Array.from(new Uint16Array(buffer, offset, count));
    case 'I8':
      return Int32Array.from(new Int8Array(buffer, offset, count));
    case 'U8':
      return Int32Array.from(new Uint8Array(buffer, offset, count));
    case 'BOOL':
      return new Uint8Array(buffer, offset, count);
    default:
      throw new DtypeDecodeError(`dtype ${dtype} cannot be decoded for tfjs`);
  }
}
