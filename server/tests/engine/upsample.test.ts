// Upsample2D's convolution computed on the low-resolution map (Conv2d.applyUpsampled2x: four 2x2 convolutions
// with folded taps) against what it replaces, nearest-neighbour upsampling then the 3x3 convolution, on the cpu
// and wasm backends; sizes other than 2x keep the plain route.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { Conv2d } from '../../src/engine/models/layers/conv2d.js';
import { ParameterRegistry, type Scope } from '../../src/engine/models/layers/parameters.js';
import { Upsample2D } from '../../src/engine/models/layers/sampling.js';

/** A layer on seeded random weights (the same names, so the same values, for the same layout). */
function bound<T>(build: (root: Scope) => T): { layer: T; registry: ParameterRegistry } {
  const registry = new ParameterRegistry('test');
  const layer = build(registry.root());
  let seed = 20;
  const weights = new Map<string, tf.Tensor>();
  for (const [name, spec] of registry.parameterSpecs) weights.set(name, tf.randomNormal([...spec.torchShape], 0, 0.3, 'float32', seed++));
  registry.bind(weights, { releaseWeights: true });
  return { layer, registry };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(['cpu', 'wasm'] as const)('Upsample2D on %s', (backend) => {
  it('equals nearest upsampling then the 3x3 convolution, at 2x with or without the size given', async () => {
    await initBackend(backend, { strict: true, logger: { info: () => {}, warn: () => {} } });
    const up = bound((root) => new Upsample2D(root.child('u'), 5));
    const conv = bound((root) => new Conv2d(root.child('u').child('conv'), 5, 5, 3));
    const x = tf.randomNormal([2, 7, 6, 5], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const expected = tf.tidy(() => conv.layer.apply(tf.image.resizeNearestNeighbor(x, [14, 12])));
    for (const got of [up.layer.apply(x), up.layer.apply(x, [14, 12])]) {
      expect(got.shape).toEqual([2, 14, 12, 5]);
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
      got.dispose();
    }
    // The UNet's odd skip sizes (not 2x) upsample first, as before.
    const odd = up.layer.apply(x, [13, 11]);
    const oddExpected = tf.tidy(() => conv.layer.apply(tf.image.resizeNearestNeighbor(x, [13, 11])));
    expect(maxAbsDiff(odd, oddExpected)).toBe(0);
    tf.dispose([expected, odd, oddExpected]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    up.registry.dispose();
    conv.registry.dispose();
  });
});
