// npm run bench:fleet [-- --shoppers 24 --concurrency 6]
// Three inference-server processes and two storefront instances on one Postgres, on loopback. Shoppers go through
// the storefront's HTTP API; halfway, server 0 is killed (SIGKILL), then restarted. Prints try-ons done, errors
// and how long the fleet took to recover.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runShoppers, startFleet, type ShopperOutcome } from './lib/fleet.js';
import { integerFlag } from './lib/flags.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const photo = fs.readFileSync(path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'fixtures/photos/person/p03_full_man_tee_jeans.jpg'));
const PRODUCT = 'demo-coral-crew-tee';

const { values } = parseArgs({ options: { shoppers: { type: 'string' }, concurrency: { type: 'string' } } });
const shoppers = integerFlag('shoppers', values.shoppers, { min: 3 }) ?? 24;
const concurrency = integerFlag('concurrency', values.concurrency, { min: 1 }) ?? 6;

const tally = (outcomes: ShopperOutcome[]) => {
  const by = new Map<string, number>();
  for (const o of outcomes) by.set(o.outcome, (by.get(o.outcome) ?? 0) + 1);
  return [...by].map(([k, v]) => `${k} ${v}`).join(', ');
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log('starting 3 inference servers, Postgres (PGlite), 2 storefronts…');
const setupStarted = Date.now();
const fleet = await startFleet({ servers: 3, storefronts: 2 });
console.log(`fleet up in ${seconds(Date.now() - setupStarted)}`);
try {
  const third = Math.floor(shoppers / 3);
  let t = Date.now();
  const steady = await runShoppers(fleet, third, concurrency, photo, PRODUCT);
  const steadyMs = Date.now() - t;
  console.log(`steady:    ${third} shoppers in ${seconds(steadyMs)} (${((third * 1000) / steadyMs).toFixed(2)} try-ons/s, median ${seconds(median(steady.map((o) => o.ms)))}): ${tally(steady)}; jobs per server ${(await fleet.jobsPerServer()).map((j) => j?.length).join('/')}`);

  t = Date.now();
  const server0Before = (await fleet.servers[0]!.jobStates()).length;
  const during = runShoppers(fleet, third, concurrency, photo, PRODUCT);
  // Kill it once it holds a job of this wave.
  while ((await fleet.servers[0]!.jobStates()).length <= server0Before && Date.now() - t < 30_000) await new Promise((r) => setTimeout(r, 50));
  const killedAt = Date.now();
  await fleet.kill(0);
  const killed = await during;
  const failed = killed.filter((o) => o.outcome !== 'result');
  const lastFailure = Math.max(0, ...failed.map((o) => o.endedAt - killedAt));
  const stuck = await fleet.db.all("SELECT id FROM jobs WHERE status IN ('queued', 'running')");
  console.log(`kill:      ${third} shoppers, server 0 SIGKILLed mid-run: ${tally(killed)}; failed shoppers told within ${seconds(lastFailure)} of the kill; jobs left running in the database: ${stuck.length}`);

  const restartStarted = Date.now();
  await fleet.restart(0);
  const restartedAt = Date.now();
  let firstBack = 0;
  const poll = setInterval(() => {
    void fleet.servers[0]?.jobStates().then((jobs) => {
      if (!firstBack && jobs.length > 0) firstBack = Date.now();
    });
  }, 100);
  const rest: ShopperOutcome[] = [];
  while (rest.length < shoppers - 2 * third || (!firstBack && Date.now() - restartedAt < 120_000)) {
    rest.push(...(await runShoppers(fleet, concurrency, concurrency, photo, PRODUCT)));
  }
  clearInterval(poll);
  console.log(`restart:   server 0 back in ${seconds(restartedAt - restartStarted)} (process start), taking work ${firstBack ? seconds(firstBack - restartedAt) : 'never'} after; ${rest.length} shoppers: ${tally(rest)}`);
  const all = [...steady, ...killed, ...rest];
  console.log(`total:     ${all.length} shoppers, ${all.filter((o) => o.outcome === 'result').length} try-ons done, ${all.filter((o) => o.outcome !== 'result').length} errors (${tally(all.filter((o) => o.outcome !== 'result')) || 'none'})`);
} finally {
  await fleet.stop();
}
