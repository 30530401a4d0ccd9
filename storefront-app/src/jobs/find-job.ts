// A shopper may only see jobs of the shop the request came through; anything else is "not found".
import type { JobRecord } from '../db/job-repository.js';
import { NotFoundError } from '../errors.js';
import type { Services } from '../services.js';

export async function findJob(services: Services, shop: string, jobId: string): Promise<JobRecord> {
  const job = /^[0-9a-f]{32}$/.test(jobId) ? await services.jobs.get(jobId) : undefined;
  if (!job || job.shop !== shop || job.expiresAt <= Date.now()) {
    throw new NotFoundError('job_not_found', 'This try-on does not exist or has expired.');
  }
  return job;
}
