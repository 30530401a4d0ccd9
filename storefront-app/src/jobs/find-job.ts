// A job is visible only to its shopper: the request must come through the job's shop, carry the job's handle
// (its secret), and, for a job started by a logged-in customer, come from that same customer. Anything else is
// "not found", so a guessed or leaked id tells nothing.
import type { JobRecord } from '../db/job-repository.js';
import { NotFoundError } from '../errors.js';
import type { Services } from '../services.js';
import type { ProxyContext } from '../shopify/app-proxy-signature.js';
import { parseJobHandle, secretMatches, type JobHandle } from './job-handle.js';

export interface FoundJob {
  record: JobRecord;
  handle: JobHandle;
  /** The handle as the shopper sent it (for URLs sent back). */
  text: string;
}

export async function findJob(services: Services, proxy: ProxyContext, handleText: string): Promise<FoundJob> {
  const handle = parseJobHandle(handleText);
  const record = handle ? await services.jobs.get(handle.id) : undefined;
  const visible = handle !== undefined && record !== undefined
    && record.shop === proxy.shop
    && record.expiresAt > Date.now()
    && secretMatches(handle.secret, record.secretHash)
    && (record.customerId === null || record.customerId === proxy.customerId);
  if (!visible) throw new NotFoundError('job_not_found', 'This try-on does not exist or has expired.');
  return { record, handle, text: handleText };
}
