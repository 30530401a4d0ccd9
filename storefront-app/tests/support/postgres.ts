// A real Postgres for tests without a database server installed: PGlite (Postgres compiled to WASM) behind
// its wire-protocol socket server, reached by the app through `pg` like any Postgres.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freePort } from '@fitting-room/server/testing';

export async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const db = await PGlite.create();
  const port = await freePort();
  // One PGlite session shared by every connection (queries are queued); two app pools need several connections.
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
