// Resolves manifest tensor references against the fixture folder, keeping each safetensors file open
// while the run needs it. Fixtures store images and latents NCHW; the engine works NHWC.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, type DecodedTensor } from '../safetensors/reader.js';
import { ManifestError, type TensorRef } from './manifest.js';

export class TensorStore {
  private readonly files = new Map<string, Promise<SafetensorsFile>>();

  constructor(readonly root: string) {}

  async decoded(ref: TensorRef): Promise<DecodedTensor> {
    const file = await this.open(ref.file);
    const tensor = await file.readDecoded(ref.key);
    if (tensor.shape.join(',') !== ref.shape.join(',')) {
      throw new ManifestError(`${ref.file}:${ref.key} has shape [${tensor.shape.join(', ')}], the manifest says [${ref.shape.join(', ')}]`);
    }
    return tensor;
  }

  /** A tensor exactly as stored (int64 ids and timesteps come back int32). */
  async tensor(ref: TensorRef): Promise<tf.Tensor> {
    const { values, shape, dtype } = await this.decoded(ref);
    return tf.tensor(values, shape, dtype);
  }

  /** A stored NCHW tensor as NHWC. */
  async nhwc(ref: TensorRef): Promise<tf.Tensor4D> {
    const nchw = await this.tensor(ref);
    if (nchw.rank !== 4) {
      nchw.dispose();
      throw new ManifestError(`${ref.file}:${ref.key} should be NCHW (rank 4), has shape [${ref.shape.join(', ')}]`);
    }
    const out = tf.transpose(nchw, [0, 2, 3, 1]) as tf.Tensor4D;
    nchw.dispose();
    return out;
  }

  async values(ref: TensorRef): Promise<Float32Array | Int32Array> {
    const { values } = await this.decoded(ref);
    if (values instanceof Uint8Array) throw new ManifestError(`${ref.file}:${ref.key}: boolean tensors are not used by the format`);
    return values;
  }

  /** Resolves a path of the manifest (model folders, files) inside the fixture folder. */
  resolve(relative: string): string {
    return path.resolve(this.root, relative);
  }

  async close(): Promise<void> {
    const files = await Promise.allSettled(this.files.values());
    this.files.clear();
    for (const f of files) if (f.status === 'fulfilled') await f.value.close();
  }

  private open(relative: string): Promise<SafetensorsFile> {
    let file = this.files.get(relative);
    if (!file) {
      file = SafetensorsFile.open(this.resolve(relative));
      this.files.set(relative, file);
    }
    return file;
  }
}
