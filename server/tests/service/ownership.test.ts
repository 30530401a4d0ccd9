// Jobs belong to their caller: GetJob, CancelJob and ListJobs see only the caller's own jobs, admin keys see all;
// refusals are not jobs; ListJobs refuses filters it does not know; a non-loopback bind without keys warns.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { pino } from 'pino';
import { createTryOnClient, loadConfig, type RunningServer, type TryOnClient } from '../../src/index.js';
import type { ListJobsRequest } from '@fitting-room/proto';
import { cancelJob, connect, generate, getJob, listJobs, startTestServer, waitFor, withKey } from './helpers.js';

const ALICE = 'alice-key';
const BOB = 'bob-key';
const ADMIN = 'admin-key';
const longRun = { mode: 'MODE_TEXT_TO_IMAGE', prompt: 'a hat', steps: 150, width: 64, height: 64, seed: 2 } as const;

let server: RunningServer;
let client: TryOnClient;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: `${ALICE},${BOB}`, adminKeys: ADMIN, maxQueue: 1 });
  client = connect(server);
});

afterAll(async () => {
  client?.close();
  await server?.stop(0);
});

/** Starts a long job as `key` and resolves its id once it is queued. */
async function startJob(key: string): Promise<{ id: string; run: ReturnType<typeof generate> }> {
  let id = '';
  const run = generate(client, longRun, { metadata: withKey(key), onEvent: (e) => (id ||= e.queued?.job_id ?? '') });
  await waitFor(() => id !== '', 30_000, 'the job to be queued');
  return { id, run };
}

const notFound = (p: Promise<unknown>): Promise<unknown> => expect(p).rejects.toMatchObject({ code: status.NOT_FOUND });

describe('job ownership', () => {
  it("keeps a caller's jobs from another key, and lets an admin key see and cancel them", async () => {
    const alice = await startJob(ALICE);

    await notFound(getJob(client, alice.id, withKey(BOB)));
    await notFound(cancelJob(client, alice.id, withKey(BOB)));
    expect((await listJobs(client, {}, withKey(BOB))).jobs.map((j) => j.id)).not.toContain(alice.id);
    expect((await getJob(client, alice.id, withKey(ALICE))).state).not.toBe('JOB_STATE_CANCELLED');
    expect((await listJobs(client, {}, withKey(ALICE))).jobs.map((j) => j.id)).toContain(alice.id);

    expect((await listJobs(client, {}, withKey(ADMIN))).jobs.map((j) => j.id)).toContain(alice.id);
    expect((await cancelJob(client, alice.id, withKey(ADMIN))).state).toBe('JOB_STATE_CANCELLED');
    expect((await alice.run).error?.code).toBe(status.CANCELLED);
  });

  it('does not record refusals as jobs: a full queue answers RESOURCE_EXHAUSTED and ListJobs stays as it was', async () => {
    const running = await startJob(ALICE);
    const waiting = await startJob(ALICE);
    const before = (await listJobs(client, {}, withKey(ADMIN))).jobs.map((j) => j.id);
    const refused = await generate(client, longRun, { metadata: withKey(BOB) });
    expect(refused.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await listJobs(client, {}, withKey(ADMIN))).jobs.map((j) => j.id)).toEqual(before);
    expect((await listJobs(client, { state: 'JOB_STATE_FAILED' }, withKey(BOB))).jobs).toEqual([]);
    for (const job of [waiting, running]) await cancelJob(client, job.id, withKey(ALICE));
    await Promise.all([running.run, waiting.run]);
  });

  it('refuses ListJobs filters it does not know with INVALID_ARGUMENT', async () => {
    const unknownState = { state: 42 } as unknown as ListJobsRequest;
    await expect(listJobs(client, unknownState, withKey(ALICE))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/state must be one of/) });
    const unknownKind = { kind: 9 } as unknown as ListJobsRequest;
    await expect(listJobs(client, unknownKind, withKey(ALICE))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/kind must be one of/) });
    await expect(listJobs(client, { state: 'JOB_STATE_UNSPECIFIED', kind: 'JOB_KIND_GENERATE' }, withKey(ALICE))).resolves.toBeDefined();
  });
});

describe('without API keys', () => {
  it("owns jobs by the caller's connection when configured so: one client cannot see another's jobs", async () => {
    const anonymous = await startTestServer({ anonymousOwner: 'connection' });
    // Two channels from the same host: two connections, two owners.
    const first = createTryOnClient(`127.0.0.1:${anonymous.port}`, grpc.credentials.createInsecure());
    const second = createTryOnClient(`127.0.0.1:${anonymous.port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    try {
      const done = await generate(first, { ...longRun, steps: 2 });
      const id = done.events.at(-1)!.result!.job_id;
      expect((await getJob(first, id)).state).toBe('JOB_STATE_SUCCEEDED');
      await notFound(getJob(second, id));
      expect((await listJobs(second)).jobs).toEqual([]);
    } finally {
      first.close();
      second.close();
      await anonymous.stop(0);
    }
  });
});

describe('binding', () => {
  it('binds loopback by default and warns when it listens beyond loopback without keys', async () => {
    expect(loadConfig({}, {}).host).toBe('127.0.0.1');
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const open = await startTestServer({ host: '0.0.0.0' }, { logger: pino({ level: 'warn' }, sink) });
    await open.stop(0);
    expect(lines.join('')).toMatch(/listening beyond loopback without TRYON_API_KEYS/);
  });
});
