import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { floatToHalfBits } from '../../src/engine/safetensors/encode.js';
import { loadSafetensors, SafetensorsFile } from '../../src/engine/safetensors/reader.js';
import { writeSafetensors } from '../../src/engine/safetensors/writer.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm', { strict: true });
  dir = await mkdtemp(join(tmpdir(), 'safetensors-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A safetensors file built by hand from a header object and raw data bytes, independent of our writer. */
async function rawFile(name: string, header: object | string, data: Uint8Array, lengthOverride?: bigint): Promise<string> {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([prefix, json, data]));
  return path;
}

const u16 = (...values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe('safetensors reader', () => {
  it('decodes F16 bit patterns to the exact float32 values', async () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x3555, 0x8000];
    const path = await rawFile('f16.safetensors', { h: { dtype: 'F16', shape: [3, 3], data_offsets: [0, 18] } }, u16(...bits));
    const weights = await loadSafetensors(path);
    const t = weights.get('h')!;
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([3, 3]);
    const values = Array.from(await t.data());
    expect(values.slice(0, 7)).toEqual([1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity]);
    expect(values[7]).toBe(Math.fround(0x155 / 1024 / 4 + 0.25)); // 0.333251953125
    expect(Object.is(values[8], -0)).toBe(true);
    t.dispose();
  });

  it('decodes BF16 as the top half of float32', async () => {
    const path = await rawFile('bf16.safetensors', { b: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, u16(0x3f80, 0xc040, 0x3eaa, 0x7f80));
    const [t] = (await loadSafetensors(path)).values();
    expect(Array.from(await t.data())).toEqual([1, -3, 0.33203125, Infinity]);
    t.dispose();
  });

  it('reads I64 as int32 and rejects values int32 cannot hold', async () => {
    const ok = new BigInt64Array([0n, -5n, 49407n, 2147483647n]);
    const okPath = await rawFile('i64.safetensors', { ids: { dtype: 'I64', shape: [2, 2], data_offsets: [0, 32] } }, new Uint8Array(ok.buffer));
    const [t] = (await loadSafetensors(okPath)).values();
    expect(t.dtype).toBe('int32');
    expect(Array.from(await t.data())).toEqual([0, -5, 49407, 2147483647]);
    t.dispose();
    const big = new BigInt64Array([1n, 2n ** 40n]);
    const badPath = await rawFile('i64big.safetensors', { ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(big.buffer));
    await expect(loadSafetensors(badPath)).rejects.toThrow(/i64big\.safetensors: tensor "ids": I64 value at index 1 does not fit in int32/);
  });

  it('exposes entries and metadata and reads single tensors from an open file', async () => {
    const header = {
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [], data_offsets: [8, 12] },
    };
    const path = await rawFile('meta.safetensors', header, f32(1.5, -2.5, 7));
    const file = await SafetensorsFile.open(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names).toEqual(['a', 'b']);
    expect(file.entries.get('b')).toMatchObject({ dtype: 'F32', shape: [], dataOffsets: [8, 12], byteLength: 4 });
    const b = await file.readTensor('b');
    expect(b.shape).toEqual([]);
    expect(await b.data()).toEqual(new Float32Array([7]));
    b.dispose();
    await expect(file.readTensor('zzz')).rejects.toThrow(/no tensor named "zzz"/);
    await file.close();
    await expect(file.readTensor('a')).rejects.toThrow(/after close/);
  });

  it('filters what loadSafetensors reads and leaks nothing', async () => {
    const header = { keep: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, drop: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    const path = await rawFile('filter.safetensors', header, f32(1, 2));
    const before = tf.memory().numTensors;
    const weights = await loadSafetensors(path, { filter: (name) => name !== 'drop' });
    expect([...weights.keys()]).toEqual(['keep']);
    for (const t of weights.values()) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads tensors beyond 4 GiB of a file larger than one Buffer (sparse file, no disk used)', async () => {
    const far = 5 * 2 ** 30;
    const header = { far: { dtype: 'F32', shape: [2], data_offsets: [far, far + 8] } };
    const path = await rawFile('huge.safetensors', header, new Uint8Array());
    const headerSize = 8 + Buffer.byteLength(JSON.stringify(header));
    const handle = await open(path, 'r+');
    await handle.write(f32(3.25, -1), 0, 8, headerSize + far);
    await handle.close();
    const file = await SafetensorsFile.open(path);
    expect(file.entries.get('far')!.fileOffset).toBe(headerSize + far);
    const t = await file.readTensor('far');
    expect(Array.from(await t.data())).toEqual([3.25, -1]);
    t.dispose();
    await file.close();
    await rm(path);
  });

  describe('rejects corrupt files with an error naming the file and the tensor', () => {
    const entry = { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] };
    const data = f32(1, 2, 3, 4);
    const cases: { name: string; make: () => Promise<string>; error: RegExp }[] = [
      { name: 'empty file', make: async () => (await writeFile(join(dir, 'empty.st'), ''), join(dir, 'empty.st')), error: /empty\.st: file is 0 bytes/ },
      { name: 'header length past end of file', make: () => rawFile('len.st', { w: entry }, data, 5000n), error: /len\.st: header length 5000 runs past the end/ },
      { name: 'absurd header length', make: () => rawFile('huge.st', { w: entry }, data, 2n ** 62n), error: /huge\.st: header length \d+ is not plausible/ },
      { name: 'header not JSON', make: () => rawFile('json.st', '{"w": {', data), error: /json\.st: header is not valid UTF-8 JSON/ },
      { name: 'truncated data', make: () => rawFile('trunc.st', { w: entry }, data.slice(0, 10)), error: /trunc\.st: tensor "w": data_offsets \[0, 16\] run past the 10-byte data section/ },
      { name: 'offsets out of range', make: () => rawFile('range.st', { w: { ...entry, data_offsets: [8, 24] } }, data), error: /range\.st: tensor "w": data_offsets \[8, 24\] run past/ },
      { name: 'wrong byte length', make: () => rawFile('bytes.st', { w: { ...entry, shape: [3, 2] } }, data), error: /bytes\.st: tensor "w": holds 16 bytes but F32 \[3,2\] needs 24/ },
      { name: 'unknown dtype', make: () => rawFile('dtype.st', { w: { ...entry, dtype: 'F33' } }, data), error: /dtype\.st: tensor "w": unknown dtype "F33"/ },
      { name: 'bad shape', make: () => rawFile('shape.st', { w: { ...entry, shape: [4, -1] } }, data), error: /shape\.st: tensor "w": shape \[4,-1\] is not a list/ },
      { name: 'reversed offsets', make: () => rawFile('rev.st', { w: { ...entry, data_offsets: [16, 0] } }, data), error: /rev\.st: tensor "w": data_offsets \[16, 0\] are reversed/ },
      {
        name: 'overlapping tensors',
        make: () => rawFile('overlap.st', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data),
        error: /overlap\.st: tensors "a" \[0, 12\] and "b" \[8, 16\] overlap/,
      },
      { name: 'missing file', make: async () => join(dir, 'nope.st'), error: /nope\.st: cannot open \(ENOENT\)/ },
      { name: 'a directory', make: async () => dir, error: /: not a regular file/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const path = await c.make();
        await expect(SafetensorsFile.open(path)).rejects.toThrow(c.error);
      });
    }
  });
});

describe('safetensors writer', () => {
  it('round-trips float, int and bool tensors with metadata, and python-readable framing', async () => {
    const path = join(dir, 'round.safetensors');
    const tensors = {
      'unet.conv.weight': tf.randomNormal([3, 2, 3, 3], 0, 1, 'float32', 7),
      ids: tf.tensor2d([[49406, 320, 49407]], [1, 3], 'int32'),
      scalar: tf.scalar(0.125),
      flags: tf.tensor1d([true, false, true], 'bool'),
    };
    await writeSafetensors(path, tensors, { format: 'pt', note: 'round trip' });
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const file = await SafetensorsFile.open(path);
    expect(file.metadata).toEqual({ format: 'pt', note: 'round trip' });
    expect(file.entries.get('ids')?.dtype).toBe('I32');
    await file.close();
    const back = await loadSafetensors(path);
    for (const [name, t] of Object.entries(tensors)) {
      const read = back.get(name)!;
      expect(read.shape, name).toEqual(t.shape);
      expect(read.dtype, name).toBe(t.dtype);
      expect(Array.from(await read.data()), name).toEqual(Array.from(await t.data()));
      read.dispose();
      t.dispose();
    }
  });

  it('writes F16, BF16 and I64 that read back to the rounded values', async () => {
    const path = join(dir, 'half.safetensors');
    const values = [1, -2.5, 0.1, 65504, 1e-7];
    const x = tf.tensor1d(values);
    const ids = tf.tensor1d([-3, 49407], 'int32');
    await writeSafetensors(path, new Map([['x', x]]), undefined, { floatDtype: 'F16' });
    await writeSafetensors(join(dir, 'bf.safetensors'), { x, ids }, undefined, { floatDtype: 'BF16', intDtype: 'I64' });
    const half = (await loadSafetensors(path)).get('x')!;
    // 0.1 -> 0x2e66 = 0.0999755859375; 1e-7 -> nearest subnormal 2 * 2^-24.
    expect(Array.from(await half.data())).toEqual([1, -2.5, 0.0999755859375, 65504, 2 * 2 ** -24]);
    const bf = await loadSafetensors(join(dir, 'bf.safetensors'));
    expect(Array.from(await bf.get('x')!.data())).toEqual([1, -2.5, 0.10009765625, 65536, Math.fround(1.0011717677116394e-7)]);
    expect(Array.from(await bf.get('ids')!.data())).toEqual([-3, 49407]);
    const file = await SafetensorsFile.open(join(dir, 'bf.safetensors'));
    expect(file.entries.get('ids')?.dtype).toBe('I64');
    await file.close();
    for (const t of [x, ids, half, ...bf.values()]) t.dispose();
  });

  it('rounds half floats to nearest even', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie, even stays
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd rounds up
    expect(floatToHalfBits(65520)).toBe(0x7c00); // rounds past max -> Infinity
    expect(floatToHalfBits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal
    expect(floatToHalfBits(3 * 2 ** -25)).toBe(0x0002);
    expect(floatToHalfBits(NaN) & 0x7c00).toBe(0x7c00);
  });

  it('names the target when it cannot create the file', async () => {
    const t = tf.scalar(1);
    await expect(writeSafetensors(join(dir, 'no-such-dir', 'x.safetensors'), { t })).rejects.toThrow(/no-such-dir\/x\.safetensors: cannot create \(ENOENT\)/);
    t.dispose();
  });

  it('never leaves a partial file: a failure mid-write keeps the old file and no temp file', async () => {
    const path = join(dir, 'atomic', 'model.safetensors');
    await rm(join(dir, 'atomic'), { recursive: true, force: true });
    await mkdir(join(dir, 'atomic'));
    const good = tf.tensor1d([1, 2, 3]);
    await writeSafetensors(path, { good });
    const original = await readFile(path);
    const disposed = tf.tensor1d([4, 5]);
    disposed.dispose();
    await expect(writeSafetensors(path, { good, disposed })).rejects.toThrow(/disposed/);
    expect(await readFile(path)).toEqual(original);
    expect(await readdir(join(dir, 'atomic'))).toEqual(['model.safetensors']);
    good.dispose();
  });
});
