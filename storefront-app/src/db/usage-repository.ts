// Try-on counts per shop and day: for the admin page and the daily quota. No personal data.
import type { SqlDatabase } from './sql-database.js';

export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10);

export class UsageRepository {
  constructor(private readonly db: SqlDatabase) {}

  async increment(shop: string, now = Date.now()): Promise<void> {
    await this.db.run(
      `INSERT INTO usage_daily (shop, day, tryons) VALUES (?, ?, 1)
       ON CONFLICT (shop, day) DO UPDATE SET tryons = usage_daily.tryons + 1`,
      [shop, utcDay(now)],
    );
  }

  async today(shop: string, now = Date.now()): Promise<number> {
    const row = await this.db.get<{ tryons: number }>('SELECT tryons FROM usage_daily WHERE shop = ? AND day = ?', [shop, utcDay(now)]);
    return row ? Number(row.tryons) : 0;
  }

  async recent(shop: string, days = 30): Promise<{ day: string; tryons: number }[]> {
    const rows = await this.db.all<{ day: string; tryons: number }>(
      'SELECT day, tryons FROM usage_daily WHERE shop = ? ORDER BY day DESC LIMIT ?',
      [shop, days],
    );
    return rows.map((r) => ({ day: r.day, tryons: Number(r.tryons) }));
  }

  async deleteShop(shop: string): Promise<number> {
    return this.db.run('DELETE FROM usage_daily WHERE shop = ?', [shop]);
  }
}
