// Offline sessions behind the interface of @shopify/shopify-app-session-storage (its published adapters
// need shopify-api 15, and sqlite3 rather than better-sqlite3, so the five methods are implemented here).
import { Session } from '@shopify/shopify-api';
import type { SqlDatabase } from './sql-database.js';

export interface SessionStorage {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
}

type Row = { data: string };
type Entries = [string, string | number | boolean][];

export class SqlSessionStorage implements SessionStorage {
  constructor(private readonly db: SqlDatabase) {}

  async storeSession(session: Session): Promise<boolean> {
    await this.db.run(
      `INSERT INTO shopify_sessions (id, shop, data) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET shop = excluded.shop, data = excluded.data`,
      [session.id, session.shop, JSON.stringify(session.toPropertyArray(true))],
    );
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.db.get<Row>('SELECT data FROM shopify_sessions WHERE id = ?', [id]);
    return row ? Session.fromPropertyArray(JSON.parse(row.data) as Entries, true) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.db.run('DELETE FROM shopify_sessions WHERE id = ?', [id]);
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) await this.deleteSession(id);
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.db.all<Row>('SELECT data FROM shopify_sessions WHERE shop = ?', [shop]);
    return rows.map((row) => Session.fromPropertyArray(JSON.parse(row.data) as Entries, true));
  }

  async deleteShop(shop: string): Promise<number> {
    return this.db.run('DELETE FROM shopify_sessions WHERE shop = ?', [shop]);
  }
}
