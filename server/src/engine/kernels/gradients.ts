// tfjs-core's Node bundle (what `import '@tensorflow/tfjs-core'` loads) registers no gradient functions; the
// @tensorflow/tfjs umbrella normally does. Its per-kernel gradient configs ship as ES modules in
// dist/gradients/, which we load one by one: the registries are process-global, so configs loaded from that
// copy serve the engine's tf. Prod_grad is left out: it imports tfjs-core's whole ESM tree, which Node
// cannot resolve (an import of './gradients' names both a file and a folder), and nothing here needs it.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const SKIPPED = new Set(['Prod_grad.js']);
let loaded: Promise<void> | undefined;

function gradientsDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'gradients');
}

async function loadAll(): Promise<void> {
  const dir = gradientsDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('_grad.js') && !SKIPPED.has(f));
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const config = value as Partial<tf.GradConfig>;
      if (typeof config?.kernelName === 'string' && typeof config.gradFunc === 'function') {
        if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config as tf.GradConfig);
      }
    }
  }
}

/** Registers tfjs-core's gradient functions (once per process); await it before the first tf.grads. */
export function registerGradients(): Promise<void> {
  loaded ??= loadAll();
  return loaded;
}
