// The per-shop daily try-on quota (rate limits per minute are express-rate-limit middleware).
import type { UsageRepository } from './db/usage-repository.js';
import { TooManyRequestsError } from './errors.js';

export class Quota {
  constructor(
    private readonly usage: UsageRepository,
    private readonly dailyLimit: number,
  ) {}

  async check(shop: string, now = Date.now()): Promise<void> {
    if ((await this.usage.today(shop, now)) < this.dailyLimit) return;
    const tomorrow = new Date(now);
    tomorrow.setUTCHours(24, 0, 0, 0);
    throw new TooManyRequestsError('quota_exceeded', 'This store has used all of today’s try-ons. Please come back tomorrow.', (tomorrow.getTime() - now) / 1000);
  }
}
