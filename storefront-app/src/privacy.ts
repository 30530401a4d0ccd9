// What the compliance webhooks need: report what is held for a customer, delete a customer's photos and
// results, delete everything of a shop. Running jobs are stopped before their rows go.
import type { Services } from './services.js';

export interface CustomerDataReport {
  shop: string;
  customerId: string;
  retentionHours: number;
  tryOns: { jobId: string; productId: string; status: string; createdAt: string; deletedBy: string; imagesHeld: string[] }[];
}

export class Privacy {
  constructor(private readonly s: Pick<Services, 'jobs' | 'photos' | 'products' | 'usage' | 'sessions' | 'tryOns' | 'trainingRuns' | 'config'>) {}

  async report(shop: string, customerId: string): Promise<CustomerDataReport> {
    const jobs = await this.s.jobs.listForCustomer(shop, customerId);
    return {
      shop,
      customerId,
      retentionHours: this.s.config.photoTtlMs / 3_600_000,
      tryOns: await Promise.all(
        jobs.map(async (j) => ({
          jobId: j.id,
          productId: j.productId,
          status: j.status,
          createdAt: new Date(j.createdAt).toISOString(),
          deletedBy: new Date(j.expiresAt).toISOString(),
          imagesHeld: await this.s.photos.kindsHeld(j.id),
        })),
      ),
    };
  }

  async redactCustomer(shop: string, customerId: string): Promise<number> {
    this.s.tryOns.cancelWhere((j) => j.shop === shop && j.customerId === customerId, 'customers/redact');
    return this.s.jobs.deleteForCustomer(shop, customerId);
  }

  async redactShop(shop: string): Promise<void> {
    this.s.tryOns.cancelWhere((j) => j.shop === shop, 'shop/redact');
    await this.s.jobs.deleteShop(shop);
    await this.s.products.deleteShop(shop);
    await this.s.usage.deleteShop(shop);
    await this.s.trainingRuns.deleteShop(shop);
    await this.s.sessions.deleteShop(shop);
  }
}
