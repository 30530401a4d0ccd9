// Deletes jobs (and with them photos and results) whose retention time has passed, and forgets webhook
// delivery ids once a delivery that old would be refused as stale anyway.
import type { Logger } from 'pino';
import type { JobRepository } from '../db/job-repository.js';
import { WEBHOOK_ID_RETENTION_MS, type WebhookDeliveryRepository } from '../db/webhook-delivery-repository.js';

export interface Sweeper {
  sweepNow(now?: number): Promise<number>;
  stop(): void;
}

export function startSweeper(jobs: JobRepository, deliveries: WebhookDeliveryRepository, log: Logger, intervalMs = 60_000): Sweeper {
  const sweepNow = async (now = Date.now()) => {
    const deleted = await jobs.deleteExpired(now);
    if (deleted > 0) log.info({ deleted }, 'deleted expired try-on jobs, photos and results');
    await deliveries.deleteOlderThan(now - WEBHOOK_ID_RETENTION_MS);
    return deleted;
  };
  const timer = setInterval(() => {
    sweepNow().catch((err: unknown) => log.error({ err }, 'photo sweep failed'));
  }, intervalMs);
  timer.unref();
  return { sweepNow, stop: () => clearInterval(timer) };
}
