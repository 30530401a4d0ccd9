// A merchant's "fine-tune on my catalog": export the catalog as a dataset folder the inference server can
// read, start a Train job over gRPC, and record its progress for the admin page.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ProductRepository } from '../db/product-repository.js';
import type { TrainingRunRepository } from '../db/training-run-repository.js';
import type { InferenceClient } from '../grpc/inference-client.js';
import { exportCatalogDataset } from './export-dataset.js';
import type { GarmentImageSource } from './garment-images.js';

export interface FineTuningOptions {
  products: ProductRepository;
  runs: TrainingRunRepository;
  images: GarmentImageSource;
  inference: InferenceClient;
  log: Logger;
  /** The inference server's datasets directory (shared folder or same machine). */
  datasetsDir: string;
  steps: number;
}

export class FineTuning {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly o: FineTuningOptions) {}

  /** Starts a run in the background and returns its id; progress goes to the training_runs table. */
  async start(shop: string): Promise<string> {
    const id = randomBytes(8).toString('hex');
    await this.o.runs.create(id, shop);
    const controller = new AbortController();
    this.running.set(id, controller);
    void this.run(id, shop, controller.signal).finally(() => this.running.delete(id));
    return id;
  }

  /** Settles when every run started here has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  stopAll(): void {
    for (const c of this.running.values()) c.abort();
  }

  private async run(id: string, shop: string, signal: AbortSignal): Promise<void> {
    const folder = `catalog-${shop.replace(/[^a-z0-9-]/gi, '_')}-${id}`;
    try {
      const exported = await exportCatalogDataset(await this.o.products.list(shop), this.o.images, path.join(this.o.datasetsDir, folder));
      if (exported.products === 0) throw new Error('no try-on products with images to train on');
      await this.o.runs.update(id, 'training', 0, `training on ${exported.products} products`);
      let modelName = '';
      // Progress rows are written in order, and before the final one.
      let writes = Promise.resolve();
      await this.o.inference.train({ datasetPath: folder, outputName: `catalog-${id}`, steps: this.o.steps }, (p) => {
        if ('done' in p) modelName = p.modelName;
        else writes = writes.then(() => this.o.runs.update(id, 'training', p.step / p.totalSteps, `step ${p.step} of ${p.totalSteps}, loss ${p.loss.toFixed(4)}`));
      }, signal);
      await writes;
      await this.o.runs.update(id, 'succeeded', 1, `model ${modelName || `catalog-${id}`} is ready`);
    } catch (err) {
      this.o.log.error({ err, shop, runId: id }, 'fine-tuning failed');
      await this.o.runs.update(id, 'failed', 0, (err as Error).message);
    }
  }
}
