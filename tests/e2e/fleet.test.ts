// The fleet behaviour the Kubernetes deployment relies on, on one machine: three inference-server processes and
// two storefront instances on one Postgres, shoppers through the storefront's HTTP API. Work spreads over the
// servers; a server killed mid-run fails its shoppers' jobs at once with a retryable error, leaves no job
// "running" in the database, and new uploads go to the others; restarted, it takes work again.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShoppers, shopperTryOn, startFleet, type Fleet, type ShopperOutcome } from '../../scripts/lib/fleet.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const photo = fs.readFileSync(path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/photos/person/p03_full_man_tee_jeans.jpg'));
const PRODUCT = 'demo-coral-crew-tee';
/** What a shopper may be told when a server dies under their job: try again. */
const RETRYABLE = new Set(['unavailable', 'busy']);

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ servers: 3, storefronts: 2 });
}, 300_000);
afterAll(async () => {
  await fleet?.stop();
}, 60_000);

const jobCounts = async () => (await fleet.jobsPerServer()).map((jobs) => jobs?.length);

describe('a fleet of three inference servers and two storefronts on one Postgres', () => {
  it('spreads shoppers over every server, through both storefronts', async () => {
    const outcomes = await runShoppers(fleet, 9, 3, photo, PRODUCT);
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(9).fill('result'));
    const counts = await jobCounts();
    expect(counts.reduce((a, b) => a! + b!, 0)).toBe(9);
    for (const count of counts) expect(count).toBeGreaterThan(0);
  }, 300_000);

  it('a server killed mid-run: its shoppers get a retryable error within seconds, no job stays running, new uploads go to the others', async () => {
    const before = await jobCounts();
    const shoppers = runShoppers(fleet, 6, 6, photo, PRODUCT);
    // Kill server 0 once it holds a job (running or queued).
    const deadline = Date.now() + 60_000;
    while (((await fleet.servers[0]!.jobStates()).length ?? 0) <= before[0]! && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    await fleet.kill(0);
    const outcomes: ShopperOutcome[] = await shoppers;
    const failed = outcomes.filter((o) => o.outcome !== 'result');
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) {
      expect(RETRYABLE, o.outcome).toContain(o.outcome);
      expect(o.endedAt - killedAt).toBeLessThan(10_000);
    }
    const stuck = await fleet.db.all<{ id: string }>("SELECT id FROM jobs WHERE status IN ('queued', 'running')");
    expect(stuck).toEqual([]);

    const during = await jobCounts();
    const after = await runShoppers(fleet, 4, 2, photo, PRODUCT);
    expect(after.map((o) => o.outcome)).toEqual(Array(4).fill('result'));
    const later = await jobCounts();
    expect(later[0]).toBeUndefined();
    expect(later[1]! + later[2]! - during[1]! - during[2]!).toBe(4);
  }, 300_000);

  it('restarted, the server takes work again', async () => {
    await fleet.restart(0);
    const deadline = Date.now() + 60_000;
    // The storefront's channel reconnects within its backoff (at most 2 s); shoppers keep coming until it does.
    while (((await fleet.servers[0]!.jobStates()).length === 0) && Date.now() < deadline) {
      const outcome = await shopperTryOn(fleet.storefronts[0]!.url, photo, PRODUCT);
      expect(outcome.outcome).toBe('result');
    }
    expect((await fleet.servers[0]!.jobStates()).length).toBeGreaterThan(0);
  }, 300_000);
});
