// One small async SQL interface over SQLite (default) and Postgres (several app instances).
// Statements use `?` placeholders and the SQL both engines share (ON CONFLICT upserts, BIGINT ms times).
export type SqlValue = string | number | bigint | Buffer | null;

export interface SqlDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * After deleting personal data: makes what was deleted unrecoverable from the database's files (SQLite: the
   * WAL is checkpointed into the file, where secure_delete already zeroed it, and truncated).
   */
  purgeDeleted(): Promise<void>;
  close(): Promise<void>;
}
