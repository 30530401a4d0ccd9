import pg from 'pg';
import type { SqlDatabase, SqlValue } from './sql-database.js';

/** `?` placeholders to Postgres' `$1, $2, ...` (our SQL has no `?` inside string literals). */
const numberPlaceholders = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export function openPostgres(connectionString: string, poolSize = 10): SqlDatabase {
  // Times are BIGINT milliseconds; read them back as numbers, not strings.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, types, max: poolSize });
  const query = async (sql: string, params: readonly SqlValue[]) =>
    pool.query(numberPlaceholders(sql), params.map((p) => (typeof p === 'bigint' ? p.toString() : p)));
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rowCount ?? 0,
    // Postgres keeps dead tuples until VACUUM (and in WAL archives): photos and results there are sealed with a
    // key only the shopper holds (photos/seal.ts), so what remains of them is ciphertext nobody can open.
    purgeDeleted: async () => undefined,
    close: () => pool.end(),
  };
}
