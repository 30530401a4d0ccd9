import { openPostgres } from './postgres-database.js';
import { migrate } from './schema.js';
import type { SqlDatabase } from './sql-database.js';
import { openSqlite } from './sqlite-database.js';

/** Opens `sqlite:<path>` or `postgres://...` and brings the schema up to date. */
export async function openDatabase(url: string, options: { postgresPoolSize?: number } = {}): Promise<SqlDatabase> {
  let db: SqlDatabase;
  if (url.startsWith('sqlite:')) db = openSqlite(url.slice('sqlite:'.length));
  else if (/^postgres(ql)?:\/\//.test(url)) db = openPostgres(url, options.postgresPoolSize);
  else throw new Error(`DATABASE_URL must be sqlite:<path> or postgres://..., got "${url}"`);
  await migrate(db);
  return db;
}
