// Webhook deliveries already handled, by X-Shopify-Webhook-Id: Shopify delivers at least once (retries after a
// timeout), and a captured delivery could be replayed; each id is handled once.
import type { SqlDatabase } from './sql-database.js';

/** Shopify retries a failed delivery for at most 48 hours; anything older is a replay. */
export const WEBHOOK_MAX_AGE_MS = 48 * 3_600_000;
/** Delivery ids are remembered longer than a delivery can be fresh, so no replay gets through between the two. */
export const WEBHOOK_ID_RETENTION_MS = 72 * 3_600_000;

export class WebhookDeliveryRepository {
  constructor(private readonly db: SqlDatabase) {}

  /** Records the delivery; false when it was recorded before (a duplicate). */
  async claim(id: string, shop: string, topic: string, now = Date.now()): Promise<boolean> {
    const inserted = await this.db.run(
      'INSERT INTO webhook_deliveries (id, shop, topic, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [id, shop, topic, now],
    );
    return inserted === 1;
  }

  /** Forgets a delivery whose handling failed, so that Shopify's retry is handled. */
  async release(id: string): Promise<void> {
    await this.db.run('DELETE FROM webhook_deliveries WHERE id = ?', [id]);
  }

  async deleteOlderThan(before: number): Promise<number> {
    return this.db.run('DELETE FROM webhook_deliveries WHERE received_at < ?', [before]);
  }
}
