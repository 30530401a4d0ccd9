// The storage layer on both databases DATABASE_URL accepts: a SQLite file and Postgres (PGlite over the wire
// protocol). Same cases, same expectations.
import { Session } from '@shopify/shopify-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRepository } from '../src/db/job-repository.js';
import { openDatabase } from '../src/db/open-database.js';
import { ProductRepository } from '../src/db/product-repository.js';
import { migrate } from '../src/db/schema.js';
import { SqlSessionStorage } from '../src/db/session-storage.js';
import type { SqlDatabase } from '../src/db/sql-database.js';
import { UsageRepository } from '../src/db/usage-repository.js';
import { secretHash } from '../src/jobs/job-handle.js';
import { PhotoStore } from '../src/photos/photo-store.js';
import { startPostgres } from './support/postgres.js';

const backends: { name: string; open(): Promise<{ db: SqlDatabase; cleanup(): Promise<void> }> }[] = [
  {
    name: 'sqlite file',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-storage-'));
      const db = await openDatabase(`sqlite:${path.join(dir, 'nested', 'app.sqlite')}`);
      return { db, cleanup: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const pg = await startPostgres();
      const db = await openDatabase(pg.url);
      return { db, cleanup: async () => { await db.close(); await pg.stop(); } };
    },
  },
];

const product = (id: string, title = 'Linen Shirt') => ({
  productId: `gid://shopify/Product/${id}`, handle: `h-${id}`, title, productType: 'Shirts', tags: ['linen'],
  description: 'd', imageUrl: 'https://cdn.example/x.png', variants: [{ id: 'v1', title: 'M' }],
});

for (const backend of backends) {
  describe(`storage on ${backend.name}`, () => {
    let db: SqlDatabase;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await backend.open());
      // Opening twice is harmless: the schema is created idempotently.
      await migrate(db);
    });
    afterAll(async () => cleanup());

    it('adds columns that a database created by an earlier version lacks', async () => {
      for (const column of ['watched', 'secret_hash', 'heartbeat_at']) await db.run(`ALTER TABLE jobs DROP COLUMN ${column}`);
      await migrate(db);
      const jobs = new JobRepository(db);
      await jobs.create({ id: 'm1', shop: 's', customerId: null, productId: 'p', secretHash: secretHash('s1'), createdAt: 0, expiresAt: 10 });
      expect(await jobs.get('m1')).toMatchObject({ secretHash: secretHash('s1'), heartbeatAt: 0 });
      expect(await jobs.isWatched('m1')).toBe(false);
      await jobs.markWatched('m1');
      expect(await jobs.isWatched('m1')).toBe(true);
      await jobs.delete('m1');
    });

    it('stores, loads, finds and deletes offline sessions', async () => {
      const sessions = new SqlSessionStorage(db);
      const s = new Session({ id: 'offline_a.myshopify.com', shop: 'a.myshopify.com', state: 'st', isOnline: false, accessToken: 'shpat_1', scope: 'read_products' });
      await sessions.storeSession(s);
      await sessions.storeSession(new Session({ ...s.toObject(), accessToken: 'shpat_2' }));
      const loaded = await sessions.loadSession(s.id);
      expect(loaded?.accessToken).toBe('shpat_2');
      expect(loaded?.isOnline).toBe(false);
      expect(loaded?.scope).toBe('read_products');
      expect((await sessions.findSessionsByShop('a.myshopify.com')).map((x) => x.id)).toEqual([s.id]);
      await sessions.deleteSessions([s.id]);
      expect(await sessions.loadSession(s.id)).toBeUndefined();
    });

    it('upserts products and keeps merchant choices', async () => {
      const products = new ProductRepository(db);
      await products.upsert('a', product('1'), 'upper');
      expect(await products.setMerchantChoice('a', 'gid://shopify/Product/1', 'dress', false)).toBe(true);
      await products.upsert('a', product('1', 'Linen Shirt v2'), 'upper');
      expect(await products.get('a', 'gid://shopify/Product/1')).toMatchObject({ title: 'Linen Shirt v2', tags: ['linen'], categoryOverride: 'dress', tryOnEnabled: false, variants: [{ id: 'v1', title: 'M' }] });
      expect(await products.setMerchantChoice('a', 'gid://shopify/Product/404', null, true)).toBe(false);
      expect(await products.deleteShop('a')).toBe(1);
    });

    it('deletes photos and results with their job (cascade), by customer, and after the TTL', async () => {
      const jobs = new JobRepository(db);
      const photos = new PhotoStore(db);
      const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]);
      for (const [id, customer, expires] of [['j1', 'c1', 1_000], ['j2', 'c2', 5_000], ['j3', null, 5_000]] as const) {
        await jobs.create({ id, shop: 's', customerId: customer, productId: 'p', secretHash: secretHash(`secret-${id}`), createdAt: 0, expiresAt: expires });
        await photos.put(id, 'photo', bytes, `secret-${id}`);
      }
      await photos.put('j2', 'result', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'secret-j2');
      expect(await photos.get('j2', 'photo', 'secret-j2')).toEqual({ mime: 'image/jpeg', bytes });
      expect((await photos.get('j2', 'result', 'secret-j2'))?.mime).toBe('image/png');
      // Sealed: the stored bytes are not the photo, and another job's secret does not open it.
      const stored = await db.get<{ sealed: Uint8Array }>("SELECT sealed FROM sealed_images WHERE job_id = 'j2' AND kind = 'photo'");
      expect(Buffer.from(stored?.sealed ?? []).includes(bytes)).toBe(false);
      expect(await photos.get('j2', 'photo', 'secret-j1')).toBeUndefined();
      expect(await photos.kindsHeld('j2')).toEqual(['photo', 'result']);
      await jobs.setStatus('j2', 'succeeded', null, 42);
      expect(await jobs.get('j2')).toMatchObject({ status: 'succeeded', finishedAt: 42, expiresAt: 5_000 });

      expect(await jobs.deleteExpired(1_000)).toBe(1);
      expect(await photos.get('j1', 'photo', 'secret-j1')).toBeUndefined();
      expect(await jobs.deleteForCustomer('s', 'c2')).toBe(1);
      expect(await photos.get('j2', 'result', 'secret-j2')).toBeUndefined();
      expect(await photos.get('j3', 'photo', 'secret-j3')).toBeDefined();
      expect(await jobs.deleteShop('s')).toBe(1);
    });

    it('counts usage per shop and day', async () => {
      const usage = new UsageRepository(db);
      const day = Date.UTC(2026, 0, 2, 12);
      await usage.increment('s', day);
      await usage.increment('s', day);
      await usage.increment('s', day + 86_400_000);
      expect(await usage.today('s', day)).toBe(2);
      expect(await usage.recent('s')).toEqual([{ day: '2026-01-03', tryons: 1 }, { day: '2026-01-02', tryons: 2 }]);
    });
  });
}

it('refuses a DATABASE_URL it does not know', async () => {
  await expect(openDatabase('mysql://x')).rejects.toThrow('DATABASE_URL must be sqlite:<path> or postgres://..., got "mysql://x"');
});
