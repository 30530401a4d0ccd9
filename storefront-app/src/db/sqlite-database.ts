import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDatabase, SqlValue } from './sql-database.js';

export function openSqlite(file: string): SqlDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Deleted rows (a customer's id, job rows) are overwritten with zeros, not left in free pages.
  db.pragma('secure_delete = ON');
  // Statements are prepared once per SQL text: the same few run on every request.
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      // DDL and other statements that return no rows.
      const statement = prepare(sql);
      return statement.reader ? statement.all(...params).length : statement.run(...params).changes;
    },
    purgeDeleted: async () => {
      // Until a checkpoint, the rows as they were before the delete are still frames of the WAL file.
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    close: async () => {
      db.close();
    },
  };
}
