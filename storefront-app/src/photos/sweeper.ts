// Deletes jobs (and with them photos and results) whose retention time has passed.
import type { Logger } from 'pino';
import type { JobRepository } from '../db/job-repository.js';

export interface Sweeper {
  sweepNow(now?: number): Promise<number>;
  stop(): void;
}

export function startSweeper(jobs: JobRepository, log: Logger, intervalMs = 60_000): Sweeper {
  const sweepNow = async (now = Date.now()) => {
    const deleted = await jobs.deleteExpired(now);
    if (deleted > 0) log.info({ deleted }, 'deleted expired try-on jobs, photos and results');
    return deleted;
  };
  const timer = setInterval(() => {
    sweepNow().catch((err: unknown) => log.error({ err }, 'photo sweep failed'));
  }, intervalMs);
  timer.unref();
  return { sweepNow, stop: () => clearInterval(timer) };
}
